package io.hoist.config;

import io.hoist.command.Template;
import io.hoist.command.TemplateException;
import io.hoist.config.YamlNode.Entry;
import io.hoist.config.YamlNode.Mapping;
import io.hoist.config.YamlNode.Scalar;
import io.hoist.config.YamlNode.ScalarKind;
import io.hoist.config.YamlNode.Sequence;
import io.hoist.error.Suggestions;
import io.hoist.model.Backup;
import io.hoist.model.BatchSize;
import io.hoist.model.Check;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Hooks;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.KeyExchange;
import io.hoist.model.Layout;
import io.hoist.model.MaxStep;
import io.hoist.model.Node;
import io.hoist.model.Release;
import io.hoist.model.Role;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import io.hoist.model.UpgradePath;
import io.hoist.release.Version;
import io.hoist.release.VersionRange;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Binds the located YAML tree to the model, checking everything and recording every problem. Where
 * a value is wrong it goes on with a placeholder, so that one mistake does not hide the next; the
 * caller throws when any problem was recorded.
 */
final class ClusterBinder {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /**
   * The longest name of a cluster, node or role: names become parts of file names (the run lock,
   * backups), which a file system caps at 255 bytes.
   */
  static final int MAX_NAME_LENGTH = 128;

  private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9_.:%\\[\\]][A-Za-z0-9_.:%\\[\\]-]*");
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.@-]*");

  static final long DEFAULT_MIN_FREE = 1024L * 1024 * 1024;
  static final int DEFAULT_HEALTH_RETRIES = 30;
  static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(2);
  static final int DEFAULT_BACKUP_KEEP = 3;

  /**
   * Upper bounds of values, checked where they are written. They are far above any sensible value
   * and keep what the core does with them from overflowing: a deadline in nanoseconds, JSch's
   * {@code int} milliseconds, a retry loop or an executor's size.
   */
  static final Duration MAX_TIMEOUT = Duration.ofDays(7);

  static final Duration MAX_SETTLE = Duration.ofDays(1);

  /** {@code ssh.connect_timeout} and {@code keepalive}: 86,400,000 ms fits JSch's int. */
  static final Duration MAX_SSH_DURATION = Duration.ofDays(1);

  static final int MAX_HEALTH_RETRIES = 10_000;
  static final int MAX_PARALLEL = 10_000;

  private static final Pattern PERCENT = Pattern.compile("(-?[0-9]{1,10})\\s*%");
  static final int MAX_BACKUP_KEEP = 1_000;
  static final int MAX_RELEASE_KEEP = 100;

  static final List<String> TOP_KEYS =
      List.of(
          "cluster",
          "release",
          "ssh",
          "layout",
          "role_order",
          "roles",
          "commands",
          "checks",
          "backup",
          "hooks",
          "timeouts",
          "secrets",
          "not_after",
          "nodes");
  static final List<String> RELEASE_KEYS =
      List.of("repository", "bundle", "upgrade_paths", "max_step", "cache", "keep");
  static final List<String> UPGRADE_PATH_KEYS = List.of("to", "from");
  static final List<String> SSH_KEYS =
      List.of(
          "user",
          "port",
          "identity",
          "known_hosts",
          "host_keys",
          "config",
          "connect_timeout",
          "keepalive",
          "kex");
  static final List<String> LAYOUT_KEYS = List.of("home", "min_free");
  static final List<String> ROLE_KEYS =
      List.of(
          "serial",
          "max_parallel",
          "settle",
          "leader",
          "retire",
          "rejoin",
          "commands",
          "finalize",
          "batches",
          "by_zone");
  static final List<String> FINALIZE_KEYS = List.of("run", "when");
  static final List<String> COMMAND_KEYS =
      List.of("version", "stop", "start", "health", "migrate", "install");
  static final List<String> HEALTH_KEYS = List.of("run", "retries", "interval");
  static final List<String> CHECK_KEYS = List.of("name", "run", "timeout");
  static final List<String> BACKUP_KEYS = List.of("paths", "keep");
  static final List<String> HOOK_KEYS = List.of("before_cluster", "after_cluster");
  static final List<String> TIMEOUT_KEYS = List.of("command", "stop", "switch", "start");
  static final List<String> NODE_KEYS =
      List.of("name", "host", "transport", "roles", "ssh", "layout", "commands", "zone");

  private static final Set<String> GENERAL_VARIABLES = union(Set.of());
  private static final Set<String> ROLE_VARIABLES = union(Set.of(Template.ROLE_VARIABLE));

  private final Problems problems;
  private Set<String> secrets = Set.of();

  /** Where each role with {@code by_zone: true} says so: every node of it needs a zone. */
  private final Map<String, Mark> byZone = new LinkedHashMap<>();

  /** A layout being merged: {@code home} may still be unset. */
  private record LayoutDraft(String home, long minFree) {}

  /** A mapping whose unknown keys were reported; {@code at} is where to report missing keys. */
  private final class Section {
    private final Mapping map;
    private final String path;
    private final Mark at;

    Section(Mapping map, String path, Mark at, List<String> allowed) {
      this.map = map;
      this.path = path;
      this.at = at;
      for (Entry entry : map.entries().values()) {
        if (!allowed.contains(entry.key())) {
          String suggestion = Suggestions.didYouMean(entry.key(), allowed);
          problems.add(
              entry.keyMark(),
              "unknown key '"
                  + join(path, entry.key())
                  + "'"
                  + (suggestion.isEmpty()
                      ? "; allowed here: " + String.join(", ", allowed)
                      : suggestion));
        }
      }
    }

    boolean has(String key) {
      Entry entry = map.entries().get(key);
      return entry != null && !(entry.value() instanceof Scalar s && s.isNull());
    }

    YamlNode value(String key) {
      Entry entry = map.entries().get(key);
      return entry == null ? null : entry.value();
    }

    Entry entry(String key) {
      return map.entries().get(key);
    }

    String path(String key) {
      return join(path, key);
    }

    /** The value of a required key, or {@code null} (reported) when it is absent or empty. */
    YamlNode required(String key, String hint) {
      if (!has(key)) {
        Entry entry = map.entries().get(key);
        problems.add(
            entry != null ? entry.keyMark() : at,
            (entry != null ? "'" + path(key) + "' is empty" : "missing '" + path(key) + "'")
                + ": "
                + hint);
        return null;
      }
      return value(key);
    }

    String string(String key) {
      return has(key) ? text(value(key), path(key)) : null;
    }

    String template(String key, Set<String> known) {
      return has(key) ? ClusterBinder.this.template(value(key), path(key), known) : null;
    }

    Duration duration(String key, Duration fallback, boolean positive, Duration max) {
      return has(key)
          ? ClusterBinder.this.duration(value(key), path(key), positive, max, fallback)
          : fallback;
    }

    int integer(String key, int fallback, int min, int max) {
      if (!has(key)) {
        return fallback;
      }
      Integer value = ClusterBinder.this.integer(value(key), path(key), min, max);
      return value == null ? fallback : value;
    }
  }

  private ClusterBinder(Problems problems) {
    this.problems = problems;
  }

  /** The cluster, or {@code null} when there were problems (all recorded). */
  static Cluster bind(YamlNode root, Problems problems) {
    return new ClusterBinder(problems).cluster(root);
  }

  private static Set<String> union(Set<String> extra) {
    Set<String> all = new TreeSet<>(Template.NODE_VARIABLES);
    all.addAll(Template.RELEASE_VARIABLES);
    all.addAll(extra);
    return Set.copyOf(all);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private Cluster cluster(YamlNode root) {
    if (!(root instanceof Mapping rootMap)) {
      problems.add(
          root.mark(),
          "a cluster file is a mapping of keys (cluster:, release:, nodes:...), not "
              + root.describe());
      return null;
    }
    Section top = new Section(rootMap, "", rootMap.mark(), TOP_KEYS);
    secrets = secrets(top);
    String name =
        name(top.required("cluster", "the cluster's name, e.g. cluster: prod-east"), "cluster");
    Release release = release(top);
    Timeouts timeouts = timeouts(top);
    SshSettings ssh = ssh(SshSettings.defaults(), top.value("ssh"), "ssh");
    LayoutDraft layout =
        layout(new LayoutDraft(null, DEFAULT_MIN_FREE), top.value("layout"), "layout");
    List<String> roleOrder = roleOrder(top);
    Map<String, Role> roles = roles(top);
    // The layout's convention (HOME/current/VERSION) unless the file says how to read the version.
    Commands commands =
        new Commands(Commands.DEFAULT_VERSION, null, null, null, null, null)
            .overlay(commands(top.value("commands"), "commands", GENERAL_VARIABLES));
    List<Check> checks = checks(top, timeouts.command());
    Backup backup = backup(top);
    Hooks hooks = hooks(top);
    String notAfter = notAfter(top);
    Set<String> knownRoles = new LinkedHashSet<>(roles.keySet());
    knownRoles.addAll(roleOrder);
    List<Node> nodes = nodes(top, ssh, layout, knownRoles);
    byZone.forEach(
        (role, mark) -> {
          List<String> without =
              nodes.stream()
                  .filter(n -> n.hasRole(role) && n.zone() == null)
                  .map(Node::name)
                  .toList();
          if (!without.isEmpty()) {
            problems.add(
                mark,
                "role '"
                    + role
                    + "' is upgraded by zone (by_zone: true), but "
                    + (without.size() == 1 ? "node " : "nodes ")
                    + String.join(", ", without)
                    + (without.size() == 1 ? " has" : " have")
                    + " no 'zone'; give every node of the role a zone, e.g. zone: rack-1");
          }
        });
    List<Role> allRoles = new ArrayList<>(roles.values());
    for (String roleName : roleOrder) {
      if (!roles.containsKey(roleName)) {
        allRoles.add(Role.named(roleName));
      }
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new Cluster(
        name,
        release,
        commands,
        roleOrder,
        allRoles,
        checks,
        backup,
        hooks,
        timeouts,
        List.copyOf(secrets),
        nodes,
        notAfter);
  }

  /** {@code not_after}: its form checked now, its time read when a run starts. */
  private String notAfter(Section top) {
    String text = top.string("not_after");
    if (text == null) {
      return null;
    }
    try {
      NotAfter.check(text);
      return text.strip();
    } catch (IllegalArgumentException e) {
      problems.add(top.value("not_after").mark(), "'not_after': " + e.getMessage());
      return null;
    }
  }

  // ---- sections

  private Set<String> secrets(Section top) {
    Set<String> names = new LinkedHashSet<>();
    Map<String, Mark> seen = new HashMap<>();
    for (Scalar item : scalarList(top.value("secrets"), "secrets")) {
      String secret = item.text();
      if (!SECRET_NAME.matcher(secret).matches()) {
        problems.add(
            item.mark(),
            "secret '" + secret + "' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      } else if (seen.containsKey(secret)) {
        problems.add(
            item.mark(),
            "secret '"
                + secret
                + "' is listed twice (first at line "
                + seen.get(secret).line()
                + ")");
      }
      seen.putIfAbsent(secret, item.mark());
      names.add(secret);
    }
    return names;
  }

  private Release release(Section top) {
    YamlNode node = top.required("release", "where releases come from (repository and bundle)");
    Mapping map = mapping(node, "release");
    if (map == null) {
      return new Release("", "", List.of(), MaxStep.ANY, null, Release.DEFAULT_KEEP);
    }
    Section s = new Section(map, "release", top.entry("release").keyMark(), RELEASE_KEYS);
    String repository = "";
    YamlNode repoNode =
        s.required("repository", "a directory (file:/srv/releases) or https://HOST/PATH");
    if (repoNode != null) {
      String text = text(repoNode, "release.repository");
      if (text != null) {
        repository = text;
        if (!(text.startsWith("file:")
            || text.startsWith("https://")
            || text.startsWith("http://"))) {
          problems.add(
              repoNode.mark(),
              "'release.repository' must be file:/DIR or https://HOST/PATH, not '" + text + "'");
        }
      }
    }
    String bundle = "";
    YamlNode bundleNode = s.required("bundle", "the bundle file name, e.g. acme-${version}.tar.gz");
    if (bundleNode != null) {
      String text = template(bundleNode, "release.bundle", Set.of("version"));
      if (text != null) {
        bundle = text;
        if (!references(text, "version")) {
          problems.add(
              bundleNode.mark(),
              "'release.bundle' must contain ${version}, e.g. acme-${version}.tar.gz");
        }
      }
    }
    List<UpgradePath> paths = new ArrayList<>();
    for (Item listed : items(s.value("upgrade_paths"), "release.upgrade_paths")) {
      String path = listed.path();
      Mapping item = mapping(listed.node(), path);
      if (item == null) {
        continue;
      }
      Section p = new Section(item, path, item.mark(), UPGRADE_PATH_KEYS);
      String to =
          checked(
              p,
              "to",
              "the versions this rule is about, e.g. \"3.6\"",
              text -> {
                if (!Version.isValid(text)) {
                  VersionRange.parse(text);
                }
              });
      String from =
          checked(
              p,
              "from",
              "the range a node must be in first, e.g. \">=3.5.3\"",
              VersionRange::parse);
      if (to != null && from != null) {
        paths.add(new UpgradePath(to, from));
      }
    }
    MaxStep maxStep =
        choice(
            s,
            "max_step",
            Map.of("major", MaxStep.MAJOR, "minor", MaxStep.MINOR, "any", MaxStep.ANY),
            MaxStep.ANY);
    Path cache = null;
    if (s.has("cache")) {
      String text = s.string("cache");
      if (text != null && !text.startsWith("/")) {
        problems.add(
            s.value("cache").mark(),
            "'release.cache' must be an absolute path (starting with /), not '" + text + "'");
      } else if (text != null) {
        try {
          cache = Path.of(text).normalize();
        } catch (InvalidPathException e) {
          problems.add(
              s.value("cache").mark(), "'release.cache' is not a valid path: " + e.getReason());
        }
      }
    }
    int keep = s.integer("keep", Release.DEFAULT_KEEP, 1, MAX_RELEASE_KEEP);
    return new Release(repository, bundle, paths, maxStep, cache, keep);
  }

  /** Accepts a text or throws IllegalArgumentException whose message is the problem. */
  private interface TextCheck {
    void check(String text);
  }

  /** A required string that {@code check} accepts (its IllegalArgumentException is the message). */
  private String checked(Section s, String key, String hint, TextCheck check) {
    YamlNode node = s.required(key, hint);
    String text = node == null ? null : text(node, s.path(key));
    if (text == null) {
      return null;
    }
    try {
      check.check(text);
      return text;
    } catch (IllegalArgumentException e) {
      problems.add(node.mark(), "'" + s.path(key) + "': " + e.getMessage());
      return null;
    }
  }

  private Timeouts timeouts(Section top) {
    Timeouts defaults = Timeouts.defaults();
    Mapping map = mapping(top.value("timeouts"), "timeouts");
    if (map == null) {
      return defaults;
    }
    Section s = new Section(map, "timeouts", top.entry("timeouts").keyMark(), TIMEOUT_KEYS);
    return new Timeouts(
        s.duration("command", defaults.command(), true, MAX_TIMEOUT),
        s.duration("stop", defaults.stop(), true, MAX_TIMEOUT),
        s.duration("switch", defaults.switchRelease(), true, MAX_TIMEOUT),
        s.duration("start", defaults.start(), true, MAX_TIMEOUT));
  }

  private SshSettings ssh(SshSettings base, YamlNode node, String path) {
    Mapping map = mapping(node, path);
    if (map == null) {
      return base;
    }
    Section s = new Section(map, path, map.mark(), SSH_KEYS);
    String user = base.user();
    if (s.has("user")) {
      user = shaped(s, "user", USER, "a login name");
    }
    Integer port = base.port();
    if (s.has("port")) {
      port = ClusterBinder.this.integer(s.value("port"), s.path("port"), 1, 65535);
    }
    List<String> identities = base.identities();
    if (s.has("identity")) {
      identities =
          scalarList(s.value("identity"), s.path("identity"), true).stream()
              .map(Scalar::text)
              .toList();
    }
    String knownHosts =
        s.has("known_hosts")
            ? orElse(s.string("known_hosts"), base.knownHosts())
            : base.knownHosts();
    HostKeyPolicy hostKeys =
        choice(
            s,
            "host_keys",
            Map.of("strict", HostKeyPolicy.STRICT, "accept-new", HostKeyPolicy.ACCEPT_NEW),
            base.hostKeys());
    String config = base.config();
    if (s.has("config")) {
      String text = s.string("config");
      config = "none".equals(text) ? null : orElse(text, config);
    }
    List<String> kex = base.kex();
    if (s.has("kex")) {
      kex = kex(s.value("kex"), s.path("kex"), kex);
    }
    return new SshSettings(
        user,
        port,
        identities,
        knownHosts,
        hostKeys,
        config,
        s.duration("connect_timeout", base.connectTimeout(), true, MAX_SSH_DURATION),
        s.duration("keepalive", base.keepalive(), false, MAX_SSH_DURATION),
        kex);
  }

  /**
   * {@code ssh.kex}: key exchange algorithms in order of preference, as a list of names or as one
   * string with commas (ssh_config's {@code KexAlgorithms} form); every name one hoist knows, none
   * twice.
   */
  private List<String> kex(YamlNode node, String path, List<String> fallback) {
    boolean empty =
        node instanceof Sequence seq
            ? seq.items().isEmpty()
            : node instanceof Scalar scalar && !scalar.isNull() && scalar.text().isBlank();
    if (empty) {
      problems.add(
          node.mark(),
          "'"
              + path
              + "' is empty: list the key exchange algorithms to offer, or remove it for the"
              + " default");
      return fallback;
    }
    List<String> names = new ArrayList<>();
    Map<String, Mark> seen = new HashMap<>();
    boolean bad = false;
    boolean oneString = node instanceof Scalar;
    for (Scalar item : scalarList(node, path, true)) {
      String text = item.text();
      int start = 0;
      while (start <= text.length()) {
        // Commas separate names in the one-string form only, as the schema has it.
        int comma = oneString ? text.indexOf(',', start) : -1;
        int end = comma < 0 ? text.length() : comma;
        String part = text.substring(start, end);
        String name = part.strip();
        Mark mark = at(item, start + part.indexOf(name));
        start = end + 1;
        if (name.isEmpty()) {
          problems.add(mark, "empty entry in '" + path + "': remove the extra comma");
          bad = true;
        } else if (!KeyExchange.isSupported(name)) {
          problems.add(mark, "'" + path + "': " + unknownKex(name));
          bad = true;
        } else if (seen.containsKey(name)) {
          problems.add(
              mark,
              "'"
                  + path
                  + "' lists '"
                  + name
                  + "' twice (first at "
                  + seen.get(name)
                  + "); each algorithm once, in order of preference");
          bad = true;
        } else {
          seen.put(name, mark);
          names.add(name);
        }
      }
    }
    return bad ? fallback : names;
  }

  private static String unknownKex(String name) {
    if (!name.isEmpty() && "+-^".indexOf(name.charAt(0)) >= 0) {
      return "'"
          + name
          + "': hoist takes the whole list, in order of preference; ssh_config's forms +NAME,"
          + " -NAME and ^NAME are not supported here"
          + Suggestions.didYouMean(name.substring(1), KeyExchange.SUPPORTED);
    }
    String suggestion = Suggestions.didYouMean(name, KeyExchange.SUPPORTED);
    return "unknown key exchange algorithm '"
        + name
        + "'"
        + (suggestion.isEmpty()
            ? "; known: " + String.join(", ", KeyExchange.SUPPORTED)
            : suggestion);
  }

  private LayoutDraft layout(LayoutDraft base, YamlNode node, String path) {
    Mapping map = mapping(node, path);
    if (map == null) {
      return base;
    }
    Section s = new Section(map, path, map.mark(), LAYOUT_KEYS);
    String home = base.home();
    if (s.has("home")) {
      String text = s.string("home");
      if (text != null && !text.startsWith("/")) {
        // Given but wrong: an empty placeholder keeps nodes from also reporting it missing.
        home = "";
        problems.add(
            s.value("home").mark(),
            "'"
                + s.path("home")
                + "' must be an absolute path (starting with /), not '"
                + text
                + "'");
      } else if (text != null) {
        home =
            text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
      }
    }
    long minFree = base.minFree();
    if (s.has("min_free")) {
      YamlNode value = s.value("min_free");
      String text = text(value, s.path("min_free"));
      if (text != null) {
        try {
          minFree = ByteSizes.parse(text);
        } catch (IllegalArgumentException e) {
          problems.add(value.mark(), "'" + s.path("min_free") + "': " + e.getMessage());
        }
      }
    }
    return new LayoutDraft(home, minFree);
  }

  private List<String> roleOrder(Section top) {
    List<String> order = new ArrayList<>();
    Map<String, Mark> seen = new HashMap<>();
    for (Scalar item : scalarList(top.value("role_order"), "role_order")) {
      String role = item.text();
      if (!isName(role)) {
        problems.add(item.mark(), badName("role", role));
      } else if (seen.containsKey(role)) {
        problems.add(
            item.mark(),
            "role '"
                + role
                + "' is listed twice in 'role_order' (first at line "
                + seen.get(role).line()
                + ")");
      } else {
        seen.put(role, item.mark());
        order.add(role);
      }
    }
    return order;
  }

  private Map<String, Role> roles(Section top) {
    Map<String, Role> roles = new LinkedHashMap<>();
    Mapping map = mapping(top.value("roles"), "roles");
    if (map == null) {
      return roles;
    }
    for (Entry entry : map.entries().values()) {
      String name = entry.key();
      String path = "roles." + name;
      if (!isName(name)) {
        problems.add(entry.keyMark(), badName("role", name));
        continue;
      }
      Mapping body = mapping(entry.value(), path);
      if (body == null) {
        roles.put(name, Role.named(name));
        continue;
      }
      Section s = new Section(body, path, entry.keyMark(), ROLE_KEYS);
      boolean serial = s.has("serial") && bool(s.value("serial"), s.path("serial"));
      int maxParallel = s.integer("max_parallel", 1, 1, MAX_PARALLEL);
      if (serial && maxParallel > 1) {
        problems.add(
            s.value("max_parallel").mark(),
            "role '"
                + name
                + "' is serial (one node down at a time), so 'max_parallel' cannot be "
                + maxParallel
                + "; remove one of them");
      }
      List<BatchSize> ramp = batches(s);
      if (!ramp.isEmpty() && s.has("max_parallel")) {
        problems.add(
            s.value("batches").mark(),
            "role '"
                + name
                + "' sets both 'batches' and 'max_parallel'; keep one: 'batches' gives every"
                + " batch's size, 'max_parallel' one size for all");
      }
      boolean zoned = s.has("by_zone") && bool(s.value("by_zone"), s.path("by_zone"));
      if (zoned) {
        byZone.put(name, s.entry("by_zone").keyMark());
      }
      Commands commands = commands(s.value("commands"), s.path("commands"), ROLE_VARIABLES);
      roles.put(
          name,
          new Role(
              name,
              serial,
              maxParallel,
              s.duration("settle", Duration.ZERO, false, MAX_SETTLE),
              bindRole(s.template("leader", ROLE_VARIABLES), name),
              bindRole(s.template("retire", ROLE_VARIABLES), name),
              bindRole(s.template("rejoin", ROLE_VARIABLES), name),
              new Commands(
                  bindRole(commands.version(), name),
                  bindRole(commands.stop(), name),
                  bindRole(commands.start(), name),
                  commands.health() == null
                      ? null
                      : new HealthCheck(
                          bindRole(commands.health().run(), name),
                          commands.health().retries(),
                          commands.health().interval()),
                  bindRole(commands.migrate(), name),
                  bindRole(commands.install(), name)),
              finalize(s, name),
              ramp,
              zoned));
    }
    return roles;
  }

  /**
   * A role's {@code finalize}: a command, or {@code { run: COMMAND, when: manual|auto }}; {@code
   * null} when absent.
   */
  private io.hoist.model.Finalize finalize(Section role, String name) {
    if (!role.has("finalize")) {
      return null;
    }
    YamlNode node = role.value("finalize");
    String path = role.path("finalize");
    if (node instanceof Scalar) {
      String run = template(node, path, ROLE_VARIABLES);
      return run == null ? null : new io.hoist.model.Finalize(bindRole(run, name), false);
    }
    Mapping map = mapping(node, path);
    if (map == null) {
      return null;
    }
    Section s = new Section(map, path, role.entry("finalize").keyMark(), FINALIZE_KEYS);
    YamlNode runNode =
        s.required(
            "run",
            "the command that finalizes the upgrade on a node (e.g. bumps the protocol version)");
    String run = runNode == null ? null : template(runNode, s.path("run"), ROLE_VARIABLES);
    boolean auto = choice(s, "when", Map.of("manual", false, "auto", true), false);
    return run == null ? null : new io.hoist.model.Finalize(bindRole(run, name), auto);
  }

  /**
   * A role's ramp: a non-empty list of whole numbers of at least 1 and percentages from 1% to 100%;
   * empty when absent (or, reported, when wrong).
   */
  private List<BatchSize> batches(Section s) {
    if (!s.has("batches")) {
      return List.of();
    }
    YamlNode value = s.value("batches");
    String path = s.path("batches");
    String example = "e.g. batches: [1, 5, \"20%\"]";
    if (!(value instanceof Sequence seq)) {
      problems.add(
          value.mark(),
          "'" + path + "' must be a list of batch sizes, " + example + ", not " + value.describe());
      return List.of();
    }
    if (seq.items().isEmpty()) {
      problems.add(
          value.mark(), "'" + path + "' is empty: list at least one batch size, " + example);
      return List.of();
    }
    List<BatchSize> sizes = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      YamlNode item = seq.items().get(i);
      String at = path + "[" + i + "]";
      String text = item instanceof Scalar scalar && !scalar.isNull() ? scalar.text().strip() : "";
      java.util.regex.Matcher percent = PERCENT.matcher(text);
      if (item instanceof Scalar && text.matches("-?[0-9]{1,10}")) {
        long count = Long.parseLong(text);
        if (count < 1 || count > MAX_PARALLEL) {
          problems.add(
              item.mark(),
              "'"
                  + at
                  + "' must be "
                  + (count < 1 ? "at least 1 node" : "at most " + MAX_PARALLEL)
                  + ", not "
                  + count);
        } else {
          sizes.add(BatchSize.of((int) count));
        }
      } else if (item instanceof Scalar && percent.matches()) {
        long p = Long.parseLong(percent.group(1));
        if (p < 1 || p > 100) {
          problems.add(
              item.mark(), "'" + at + "' must be a percentage from 1% to 100%, not " + text);
        } else {
          sizes.add(BatchSize.percent((int) p));
        }
      } else {
        problems.add(
            item.mark(),
            "'"
                + at
                + "' must be a number of nodes (5) or a percentage of the role's nodes (\"20%\"),"
                + " not "
                + (item instanceof Scalar && !text.isEmpty() ? "'" + text + "'" : item.describe()));
      }
    }
    return sizes.size() == seq.items().size() ? sizes : List.of();
  }

  /**
   * A role's commands know their role: {@code ${role}} is fixed to its name here, so it means "the
   * role whose command runs" wherever the command ends up (a node with several roles takes some
   * commands from one role and some from another).
   */
  private static String bindRole(String template, String role) {
    if (template == null) {
      return null;
    }
    try {
      return Template.parse(template).bind(Template.ROLE_VARIABLE, role).source();
    } catch (TemplateException e) {
      return template; // already reported as a problem; the file will not load
    }
  }

  private Commands commands(YamlNode node, String path, Set<String> known) {
    Mapping map = mapping(node, path);
    if (map == null) {
      return Commands.none();
    }
    Section s = new Section(map, path, map.mark(), COMMAND_KEYS);
    return new Commands(
        s.template("version", known),
        s.template("stop", known),
        s.template("start", known),
        s.has("health") ? health(s.value("health"), s.path("health"), known) : null,
        s.template("migrate", known),
        s.template("install", known));
  }

  private HealthCheck health(YamlNode node, String path, Set<String> known) {
    if (node instanceof Scalar) {
      String run = template(node, path, known);
      return run == null
          ? null
          : new HealthCheck(run, DEFAULT_HEALTH_RETRIES, DEFAULT_HEALTH_INTERVAL);
    }
    Mapping map = mapping(node, path);
    if (map == null) {
      return null;
    }
    Section s = new Section(map, path, map.mark(), HEALTH_KEYS);
    YamlNode runNode = s.required("run", "the command that exits 0 when the node is healthy");
    String run = runNode == null ? null : template(runNode, s.path("run"), known);
    int retries = s.integer("retries", DEFAULT_HEALTH_RETRIES, 0, MAX_HEALTH_RETRIES);
    Duration interval = s.duration("interval", DEFAULT_HEALTH_INTERVAL, false, MAX_TIMEOUT);
    return new HealthCheck(run == null ? "" : run, retries, interval);
  }

  private List<Check> checks(Section top, Duration defaultTimeout) {
    List<Check> checks = new ArrayList<>();
    Map<String, Mark> seen = new HashMap<>();
    for (Item item : items(top.value("checks"), "checks")) {
      String path = item.path();
      Mapping map = mapping(item.node(), path);
      if (map == null) {
        continue;
      }
      Section s = new Section(map, path, map.mark(), CHECK_KEYS);
      YamlNode nameNode = s.required("name", "a short name shown in the inspect table");
      String name = nameNode == null ? null : text(nameNode, s.path("name"));
      if (name != null) {
        if (seen.containsKey(name)) {
          problems.add(
              nameNode.mark(),
              "check '"
                  + name
                  + "' is defined twice (first at line "
                  + seen.get(name).line()
                  + ")");
        }
        seen.putIfAbsent(name, nameNode.mark());
      }
      YamlNode runNode = s.required("run", "the command that exits 0 when the check passes");
      String run = runNode == null ? null : template(runNode, s.path("run"), GENERAL_VARIABLES);
      Duration timeout = s.duration("timeout", defaultTimeout, true, MAX_TIMEOUT);
      if (name != null && run != null) {
        checks.add(new Check(name, run, timeout));
      }
    }
    return checks;
  }

  private Backup backup(Section top) {
    Mapping map = mapping(top.value("backup"), "backup");
    if (map == null) {
      return Backup.none();
    }
    Section s = new Section(map, "backup", top.entry("backup").keyMark(), BACKUP_KEYS);
    List<String> paths = new ArrayList<>();
    for (Scalar item : scalarList(s.value("paths"), s.path("paths"))) {
      String text = item.text();
      String unknown = text.replace("${home}", "").replace("${node}", "");
      if (!text.startsWith("/") && !text.startsWith("${home}")) {
        problems.add(
            item.mark(),
            "'backup.paths' must hold absolute paths (starting with / or ${home}), not '"
                + text
                + "'");
      } else if (unknown.contains("${")) {
        problems.add(
            item.mark(), "'backup.paths' may use ${home} and ${node} only, not '" + text + "'");
      } else {
        paths.add(text);
      }
    }
    return new Backup(paths, s.integer("keep", DEFAULT_BACKUP_KEEP, 1, MAX_BACKUP_KEEP));
  }

  private Hooks hooks(Section top) {
    Mapping map = mapping(top.value("hooks"), "hooks");
    if (map == null) {
      return Hooks.none();
    }
    Section s = new Section(map, "hooks", top.entry("hooks").keyMark(), HOOK_KEYS);
    return new Hooks(
        s.template("before_cluster", GENERAL_VARIABLES),
        s.template("after_cluster", GENERAL_VARIABLES));
  }

  private List<Node> nodes(
      Section top, SshSettings clusterSsh, LayoutDraft clusterLayout, Set<String> knownRoles) {
    List<Node> nodes = new ArrayList<>();
    YamlNode value =
        top.required("nodes", "the list of nodes, e.g. - { name: core, host: core.example }");
    if (value == null) {
      return nodes;
    }
    if (value instanceof Sequence seq && seq.items().isEmpty()) {
      problems.add(value.mark(), "'nodes' is empty: list at least one node");
    }
    Map<String, Mark> seen = new HashMap<>();
    for (Item item : items(value, "nodes")) {
      String path = item.path();
      Mapping map = mapping(item.node(), path);
      if (map == null) {
        continue;
      }
      Node node =
          node(
              new Section(map, path, map.mark(), NODE_KEYS),
              clusterSsh,
              clusterLayout,
              knownRoles,
              seen);
      if (node != null) {
        nodes.add(node);
      }
    }
    return nodes;
  }

  private Node node(
      Section s,
      SshSettings clusterSsh,
      LayoutDraft clusterLayout,
      Set<String> knownRoles,
      Map<String, Mark> seen) {
    YamlNode nameNode = s.required("name", "a unique name, e.g. name: db-1");
    String name = nameNode == null ? null : name(nameNode, s.path("name"));
    if (name != null) {
      if (seen.containsKey(name)) {
        problems.add(
            nameNode.mark(),
            "node '" + name + "' is defined twice (first at line " + seen.get(name).line() + ")");
      }
      seen.putIfAbsent(name, nameNode.mark());
    }
    String label = name != null ? "node '" + name + "'" : "this node";
    TransportKind transport =
        choice(
            s,
            "transport",
            Map.of("ssh", TransportKind.SSH, "local", TransportKind.LOCAL),
            TransportKind.SSH);
    boolean transportValid =
        !s.has("transport")
            || s.value("transport") instanceof Scalar t
                && Set.of("ssh", "local").contains(t.text());
    String host = s.has("host") ? shaped(s, "host", HOST, "a host name or address") : null;
    if (transport == TransportKind.SSH && transportValid && !s.has("host")) {
      Entry hostEntry = s.entry("host");
      problems.add(
          hostEntry != null ? hostEntry.keyMark() : s.at,
          label
              + " is reached over SSH but has no 'host'; add host: ADDRESS (or transport: local"
              + " for the core node itself)");
    }
    List<String> roles = new ArrayList<>();
    for (Scalar item : scalarList(s.value("roles"), s.path("roles"))) {
      String role = item.text();
      if (!knownRoles.contains(role)) {
        String suggestion = Suggestions.didYouMean(role, knownRoles);
        problems.add(
            item.mark(),
            "unknown role '"
                + role
                + "'"
                + (suggestion.isEmpty()
                    ? "; declare it under 'roles:' or 'role_order:'"
                        + (knownRoles.isEmpty()
                            ? ""
                            : " (known: " + String.join(", ", knownRoles) + ")")
                    : suggestion));
      } else if (roles.contains(role)) {
        problems.add(item.mark(), label + " lists role '" + role + "' twice");
      } else {
        roles.add(role);
      }
    }
    SshSettings ssh = ssh(clusterSsh, s.value("ssh"), s.path("ssh"));
    LayoutDraft layout = layout(clusterLayout, s.value("layout"), s.path("layout"));
    if (layout.home() == null) {
      problems.add(
          s.at,
          label
              + " has no layout.home; set 'layout: { home: /opt/PRODUCT }' at the top level or on"
              + " the node");
    }
    Commands commands = commands(s.value("commands"), s.path("commands"), GENERAL_VARIABLES);
    String zone = s.has("zone") ? name(s.value("zone"), s.path("zone")) : null;
    if (name == null) {
      return null;
    }
    return new Node(
        name,
        transport,
        host,
        roles,
        ssh,
        new Layout(layout.home() == null ? "" : layout.home(), layout.minFree()),
        commands,
        zone);
  }

  // ---- values

  private String name(YamlNode node, String path) {
    if (node == null) {
      return null;
    }
    String text = text(node, path);
    if (text != null && !isName(text)) {
      problems.add(node.mark(), badName("'" + path + "'", text));
      return null;
    }
    return text;
  }

  private static boolean isName(String text) {
    return text.length() <= MAX_NAME_LENGTH && NAME.matcher(text).matches();
  }

  private static String badName(String what, String text) {
    if (NAME.matcher(text).matches()) {
      return what
          + " '"
          + text
          + "' is "
          + text.length()
          + " characters long; a name has at most "
          + MAX_NAME_LENGTH;
    }
    return what
        + " '"
        + text
        + "' is not a valid name: a letter or digit, then letters, digits, '.', '_' or '-'";
  }

  private String shaped(Section s, String key, Pattern shape, String what) {
    String text = s.string(key);
    if (text != null && !shape.matcher(text).matches()) {
      problems.add(
          s.value(key).mark(),
          "'"
              + s.path(key)
              + "' must be "
              + what
              + " (no spaces, not starting with '-'), not '"
              + text
              + "'");
      return null;
    }
    return text;
  }

  private static <T> T orElse(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private void typeProblem(YamlNode node, String path, String expected) {
    problems.add(node.mark(), "'" + path + "' must be " + expected + ", not " + node.describe());
  }

  /** The text of a scalar; {@code null} for null or (reported) for a collection. */
  private String text(YamlNode node, String path) {
    if (node instanceof Scalar scalar) {
      return scalar.text();
    }
    typeProblem(node, path, "a string");
    return null;
  }

  private Integer integer(YamlNode node, String path, int min, int max) {
    if (!(node instanceof Scalar scalar)
        || scalar.isNull()
        || !(scalar.kind() == ScalarKind.INTEGER || scalar.kind() == ScalarKind.STRING)
        || !scalar.text().strip().matches("-?[0-9]{1,10}")) {
      typeProblem(node, path, "a whole number");
      return null;
    }
    long value = Long.parseLong(scalar.text().strip());
    if (value < min || value > max) {
      problems.add(
          node.mark(),
          "'"
              + path
              + "' must be "
              + (value < min ? "at least " + min : "at most " + max)
              + ", not "
              + value);
      return null;
    }
    return (int) value;
  }

  private boolean bool(YamlNode node, String path) {
    if (node instanceof Scalar scalar && scalar.kind() == ScalarKind.BOOLEAN) {
      return Set.of("true", "yes", "on", "y").contains(scalar.text().toLowerCase(Locale.ROOT));
    }
    typeProblem(node, path, "true or false");
    return false;
  }

  /** A duration of at most {@code max} (and not 0 when {@code positive}). */
  private Duration duration(
      YamlNode node, String path, boolean positive, Duration max, Duration fallback) {
    String text = text(node, path);
    if (text == null) {
      return fallback;
    }
    try {
      Duration duration = Durations.parse(text);
      if (positive && duration.isZero()) {
        problems.add(node.mark(), "'" + path + "' must be longer than 0s");
        return fallback;
      }
      if (duration.compareTo(max) > 0) {
        problems.add(
            node.mark(),
            "'" + path + "' must be at most " + Durations.format(max) + ", not " + text.strip());
        return fallback;
      }
      return duration;
    } catch (IllegalArgumentException e) {
      problems.add(node.mark(), "'" + path + "': " + e.getMessage());
      return fallback;
    }
  }

  private <E> E choice(Section s, String key, Map<String, E> choices, E fallback) {
    if (!s.has(key)) {
      return fallback;
    }
    String text = s.string(key);
    if (text == null) {
      return fallback;
    }
    E value = choices.get(text);
    if (value == null) {
      List<String> names = new ArrayList<>(new TreeSet<>(choices.keySet()));
      problems.add(
          s.value(key).mark(),
          "'"
              + s.path(key)
              + "' must be one of "
              + String.join(", ", names)
              + ", not '"
              + text
              + "'"
              + Suggestions.didYouMean(text, names));
      return fallback;
    }
    return value;
  }

  /** A mapping; {@code null} when absent or null (nothing set) or (reported) of another type. */
  private Mapping mapping(YamlNode node, String path) {
    if (node == null || node instanceof Scalar s && s.isNull()) {
      return null;
    }
    if (node instanceof Mapping map) {
      return map;
    }
    typeProblem(node, path, "a mapping (key: value)");
    return null;
  }

  /** An item of a list and its path ({@code nodes[2]}). */
  private record Item(String path, YamlNode node) {}

  /**
   * The items of a list, each with its path; {@code node} absent or null is an empty list. A blank
   * item ({@code -} with nothing, {@code ~}, {@code ""}) is reported and left out, never dropped
   * silently: it is most often a value that was meant to be there.
   */
  private List<Item> items(YamlNode node, String path) {
    if (node == null || node instanceof Scalar s && s.isNull()) {
      return List.of();
    }
    if (!(node instanceof Sequence seq)) {
      typeProblem(node, path, "a list");
      return List.of();
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      YamlNode item = seq.items().get(i);
      if (item instanceof Scalar scalar && (scalar.isNull() || scalar.text().isBlank())) {
        problems.add(item.mark(), "empty entry in '" + path + "': remove it or give it a value");
      } else {
        items.add(new Item(path + "[" + i + "]", item));
      }
    }
    return items;
  }

  private List<Scalar> scalarList(YamlNode node, String path) {
    return scalarList(node, path, false);
  }

  /** A list of non-blank scalars; with {@code single}, one scalar is a list of one. */
  private List<Scalar> scalarList(YamlNode node, String path, boolean single) {
    if (single && node instanceof Scalar scalar && !scalar.isNull()) {
      return List.of(scalar);
    }
    List<Scalar> scalars = new ArrayList<>();
    for (Item item : items(node, path)) {
      if (item.node() instanceof Scalar scalar) {
        scalars.add(scalar);
      } else {
        typeProblem(item.node(), item.path(), "a string");
      }
    }
    return scalars;
  }

  /** A command template whose references are all {@code known} (or listed secrets). */
  private String template(YamlNode node, String path, Set<String> known) {
    String text = text(node, path);
    if (text == null) {
      return null;
    }
    Scalar scalar = (Scalar) node;
    try {
      Template template = Template.parse(text);
      int offset = template.firstUnknown(known, secrets);
      if (offset >= 0) {
        int end = text.indexOf('}', offset);
        String name = text.substring(offset + 2, end);
        problems.add(at(scalar, offset), "'" + path + "': " + unknownVariable(name, known));
      }
      int quoted = template.firstQuotedReference();
      if (quoted >= 0) {
        String reference = text.substring(quoted, text.indexOf('}', quoted) + 1);
        problems.add(
            at(scalar, quoted),
            "'"
                + path
                + "': "
                + reference
                + " stands inside shell quotes or backquotes; hoist quotes the value itself, so"
                + " there it would be neither one word nor safe: write it as a word of its own ("
                + reference
                + "/bin, not \""
                + reference
                + "/bin\"), in $(...) rather than backquotes");
      }
    } catch (TemplateException e) {
      problems.add(at(scalar, e.offset()), "'" + path + "': " + e.getMessage());
    }
    return text;
  }

  private String unknownVariable(String name, Set<String> known) {
    if (name.startsWith(Template.SECRET_PREFIX)) {
      String secret = name.substring(Template.SECRET_PREFIX.length());
      return "'${"
          + name
          + "}' uses secret '"
          + secret
          + "', which is not listed under 'secrets:'"
          + Suggestions.didYouMean(secret, secrets);
    }
    if (name.equals(Template.ROLE_VARIABLE)) {
      return "'${role}' is only known in a role's commands (roles.NAME)";
    }
    String suggestion = Suggestions.didYouMean(name, known);
    return "unknown variable '${"
        + name
        + "}'"
        + (suggestion.isEmpty() ? "" : suggestion)
        + "; known here: "
        + String.join(", ", new TreeSet<>(known))
        + "; write $${"
        + name
        + "} to pass ${"
        + name
        + "} to the shell";
  }

  private static boolean references(String text, String variable) {
    try {
      return Template.parse(text).variables().contains(variable);
    } catch (TemplateException e) {
      return true; // already reported as unparsable
    }
  }

  /** The position of {@code offset} in a scalar; its start when it is quoted or spans lines. */
  private static Mark at(Scalar scalar, int offset) {
    if (!scalar.plainSingleLine()) {
      return scalar.mark();
    }
    return new Mark(
        scalar.mark().line(),
        scalar.mark().column()
            + scalar.text().codePointCount(0, Math.min(offset, scalar.text().length())));
  }
}
