package io.hoist.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hoist.error.UsageException;
import io.hoist.model.Backup;
import io.hoist.model.Check;
import io.hoist.model.Cluster;
import io.hoist.model.Commands;
import io.hoist.model.HealthCheck;
import io.hoist.model.Hooks;
import io.hoist.model.HostKeyPolicy;
import io.hoist.model.Layout;
import io.hoist.model.MaxStep;
import io.hoist.model.Node;
import io.hoist.model.Role;
import io.hoist.model.SshSettings;
import io.hoist.model.Timeouts;
import io.hoist.model.TransportKind;
import io.hoist.model.UpgradePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLoaderTest {

  private static final String MINIMAL =
      """
      cluster: c
      release: { repository: "file:/r", bundle: "p-${version}.tgz" }
      layout: { home: /opt/p }
      """;

  @TempDir Path dir;

  private Cluster load(String yaml) throws IOException {
    Path file = dir.resolve("cluster.yaml");
    Files.writeString(file, yaml);
    return new ClusterLoader().load(file);
  }

  @Test
  void notAfterIsKeptAsWrittenAndAQuotedOrBareClockTimeIsRead() throws IOException {
    String nodes = "nodes: [{ name: n, host: h }]\n";
    assertEquals(null, load(MINIMAL + nodes).notAfter());
    assertEquals("05:30", load(MINIMAL + nodes + "not_after: \"05:30\"\n").notAfter());
    assertEquals("05:30", load(MINIMAL + nodes + "not_after: 05:30\n").notAfter());
    assertEquals(
        "2026-11-22T05:30+01:00",
        load(MINIMAL + nodes + "not_after: 2026-11-22T05:30+01:00\n").notAfter());
    assertEquals("+2h", load(MINIMAL + nodes + "not_after: +2h\n").notAfter());
  }

  @Test
  void exampleFileLoadsWithEveryField() {
    Cluster cluster = new ClusterLoader().load(Path.of("examples/cluster.yaml"));

    assertEquals("prod-east", cluster.name());
    assertEquals("file:/srv/releases", cluster.release().repository());
    assertEquals("acme-${version}.tar.gz", cluster.release().bundle());
    assertEquals(List.of(new UpgradePath("3.6", ">=3.5.3")), cluster.release().upgradePaths());
    assertEquals(MaxStep.MINOR, cluster.release().maxStep());
    assertEquals(List.of("dea", "controller", "router", "base", "primary"), cluster.roleOrder());
    assertEquals(
        List.of("dea", "controller", "primary", "router", "base"),
        cluster.roles().stream().map(Role::name).toList());
    Role dea = cluster.role("dea").orElseThrow();
    assertEquals(2, dea.maxParallel());
    assertEquals("acme-ctl dea drain ${node}", dea.retire());
    assertEquals("acme-ctl dea enable ${node}", dea.rejoin());
    Role primary = cluster.role("primary").orElseThrow();
    assertTrue(primary.serial());
    assertEquals(Duration.ofSeconds(60), primary.settle());
    assertEquals("acme-ctl is-leader", primary.leader());
    assertEquals(
        new HealthCheck("acme-ctl health --role primary", 60, Duration.ofSeconds(5)),
        primary.commands().health());
    assertEquals(Role.named("controller"), cluster.role("controller").orElseThrow());
    assertEquals(Role.named("router"), cluster.role("router").orElseThrow());
    assertEquals(
        new Commands(
            "cat ${home}/current/VERSION",
            "systemctl stop acme",
            "systemctl start acme",
            new HealthCheck("acme-ctl health", 30, Duration.ofSeconds(2)),
            "acme-ctl migrate --token ${secret.ACME_ADMIN_TOKEN}",
            null),
        cluster.commands());
    assertEquals(
        List.of(
            new Check("disk", "test -w ${home}", Duration.ofSeconds(60)),
            new Check("service", "systemctl is-active acme", Duration.ofSeconds(30))),
        cluster.checks());
    assertEquals(new Backup(List.of("/etc/acme", "/var/lib/acme"), 3), cluster.backup());
    assertEquals(new Hooks("acme-ctl maintenance on", "acme-ctl maintenance off"), cluster.hooks());
    assertEquals(
        new Timeouts(
            Duration.ofSeconds(60),
            Duration.ofSeconds(90),
            Duration.ofSeconds(180),
            Duration.ofMinutes(5)),
        cluster.timeouts());
    assertEquals(List.of("ACME_ADMIN_TOKEN"), cluster.secrets());

    assertEquals(
        List.of("core", "dea-1", "dea-2", "self"),
        cluster.nodes().stream().map(Node::name).toList());
    Node core = cluster.node("core").orElseThrow();
    assertEquals(TransportKind.SSH, core.transport());
    assertEquals("core.acme.internal", core.host());
    assertEquals(List.of("primary", "controller", "base"), core.roles());
    assertEquals(
        new SshSettings(
            "acme",
            22,
            List.of("~/.ssh/id_ed25519"),
            "~/.ssh/known_hosts",
            HostKeyPolicy.STRICT,
            "~/.ssh/config",
            Duration.ofSeconds(10),
            Duration.ofSeconds(15),
            List.of()),
        core.ssh());
    assertEquals(new Layout("/opt/acme", 2L << 30), core.layout());
    assertEquals(2222, cluster.node("dea-1").orElseThrow().ssh().port());
    Node dea2 = cluster.node("dea-2").orElseThrow();
    assertEquals(new Layout("/srv/acme", 2L << 30), dea2.layout());
    assertEquals("/srv/acme/bin/acme stop", dea2.commands().stop());
    Node self = cluster.node("self").orElseThrow();
    assertEquals(TransportKind.LOCAL, self.transport());
    assertNull(self.host());
  }

  @Test
  void nodeSshAndLayoutAreMergedKeyByKeyOverTheCluster() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + """
                ssh: { user: acme, port: 22, identity: [a, b], host_keys: accept-new }
                nodes:
                  - name: n1
                    host: h1
                    ssh: { port: 2222, identity: c }
                    layout: { min_free: 10MB }
                  - { name: n2, host: h2, layout: { home: /srv/p/ } }
                """);
    SshSettings n1 = cluster.node("n1").orElseThrow().ssh();
    assertEquals("acme", n1.user());
    assertEquals(2222, n1.port());
    assertEquals(List.of("c"), n1.identities());
    assertEquals(HostKeyPolicy.ACCEPT_NEW, n1.hostKeys());
    assertEquals("~/.ssh/known_hosts", n1.knownHosts());
    assertEquals(new Layout("/opt/p", 10_000_000), cluster.node("n1").orElseThrow().layout());
    Node n2 = cluster.node("n2").orElseThrow();
    assertEquals(22, n2.ssh().port());
    assertEquals(List.of("a", "b"), n2.ssh().identities());
    assertEquals(new Layout("/srv/p", 1L << 30), n2.layout());
  }

  @Test
  void kexIsAListOrACommaStringAndANodesReplacesTheClusters() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + """
                ssh: { kex: [sntrup761x25519-sha512@openssh.com, curve25519-sha256] }
                nodes:
                  - { name: n1, host: h1, ssh: { kex: "curve25519-sha256 , ecdh-sha2-nistp256" } }
                  - { name: n2, host: h2, ssh: { kex: diffie-hellman-group14-sha1 } }
                  - { name: n3, host: h3, ssh: { port: 2222 } }
                """);
    assertEquals(
        List.of("curve25519-sha256", "ecdh-sha2-nistp256"),
        cluster.node("n1").orElseThrow().ssh().kex());
    assertEquals(
        List.of("diffie-hellman-group14-sha1"), cluster.node("n2").orElseThrow().ssh().kex());
    assertEquals(
        List.of("sntrup761x25519-sha512@openssh.com", "curve25519-sha256"),
        cluster.node("n3").orElseThrow().ssh().kex());
  }

  @Test
  void releaseCacheAndKeepAreRead() throws IOException {
    Cluster cluster =
        load(
            MINIMAL.replace("p-${version}.tgz\"", "p-${version}.tgz\", cache: /srv/cache/, keep: 5")
                + "nodes: [{ name: n1, host: h1 }]\n");

    assertEquals(Path.of("/srv/cache"), cluster.release().cache());
    assertEquals(5, cluster.release().keep());
  }

  @Test
  void defaultsApplyWhenSectionsAreLeftOut() throws IOException {
    Cluster cluster = load(MINIMAL + "nodes: [{ name: n1, host: h1 }]\n");
    assertEquals(MaxStep.ANY, cluster.release().maxStep());
    assertNull(cluster.release().cache());
    assertEquals(3, cluster.release().keep());
    assertEquals(SshSettings.defaults(), cluster.node("n1").orElseThrow().ssh());
    assertEquals(new Layout("/opt/p", 1L << 30), cluster.node("n1").orElseThrow().layout());
    assertEquals(Timeouts.defaults(), cluster.timeouts());
    assertEquals(Backup.none(), cluster.backup());
    assertEquals(Hooks.none(), cluster.hooks());
    assertEquals(
        new Commands("cat ${home}/current/VERSION", null, null, null, null, null),
        cluster.commands(),
        "only the version command has a default: the layout's HOME/current/VERSION");
    assertTrue(cluster.roles().isEmpty());
    assertTrue(cluster.checks().isEmpty());
  }

  @Test
  void healthAsAPlainStringGetsDefaultRetriesAndInterval() throws IOException {
    Cluster cluster =
        load(MINIMAL + "commands: { health: acme-ctl health }\nnodes: [{ name: n, host: h }]\n");
    assertEquals(
        new HealthCheck("acme-ctl health", 30, Duration.ofSeconds(2)), cluster.commands().health());
  }

  @Test
  void roleDeclaredWithoutBodyGetsDefaults() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + """
                roles:
                  dea:
                  db: { serial: true }
                nodes: [{ name: n, host: h, roles: [dea, db] }]
                """);
    assertEquals(Role.named("dea"), cluster.role("dea").orElseThrow());
    Role db = cluster.role("db").orElseThrow();
    assertTrue(db.serial());
    assertEquals(1, db.maxParallel());
    assertEquals(Duration.ZERO, db.settle());
    assertEquals(Commands.none(), db.commands());
  }

  @Test
  void checkTimeoutDefaultsToTheCommandTimeout() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + "timeouts: { command: 2m }\nchecks: [{ name: a, run: 'true' }]\n"
                + "nodes: [{ name: n, host: h }]\n");
    assertEquals(Duration.ofMinutes(2), cluster.checks().get(0).timeout());
  }

  @Test
  void valuesAtTheirLimitsAreAccepted() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + """
                timeouts: { command: 7d, stop: 168h, switch: 604800, start: 6d24h }
                ssh: { connect_timeout: 1d, keepalive: 86400s }
                roles: { r: { max_parallel: 10000, settle: 24h } }
                commands: { health: { run: x, retries: 10000, interval: 7d } }
                checks: [{ name: a, run: x, timeout: 7d }]
                backup: { paths: [/x], keep: 1000 }
                nodes: [{ name: n, host: h }]
                """);
    Duration week = Duration.ofDays(7);
    assertEquals(new Timeouts(week, week, week, week), cluster.timeouts());
    SshSettings ssh = cluster.node("n").orElseThrow().ssh();
    assertEquals(Duration.ofDays(1), ssh.connectTimeout());
    assertEquals(Duration.ofDays(1), ssh.keepalive());
    Role r = cluster.roles().stream().filter(role -> role.name().equals("r")).findFirst().get();
    assertEquals(10_000, r.maxParallel());
    assertEquals(Duration.ofDays(1), r.settle());
    assertEquals(new HealthCheck("x", 10_000, week), cluster.commands().health());
    assertEquals(week, cluster.checks().get(0).timeout());
    assertEquals(1000, cluster.backup().keep());
  }

  @Test
  void sshConfigNoneDisablesTheOpenSshConfig() throws IOException {
    Cluster cluster = load(MINIMAL + "ssh: { config: none }\nnodes: [{ name: n, host: h }]\n");
    assertNull(cluster.node("n").orElseThrow().ssh().config());
  }

  @Test
  void aliasesAndMergeKeysShareSettingsBetweenNodes() throws IOException {
    Cluster cluster =
        load(
            MINIMAL
                + """
                nodes:
                  - &dea { name: d1, host: h1, ssh: { port: 2200 } }
                  - { <<: *dea, name: d2, host: h2 }
                """);
    assertEquals(2200, cluster.node("d2").orElseThrow().ssh().port());
    assertEquals("h2", cluster.node("d2").orElseThrow().host());
  }

  @Test
  void roleOrderOverrideAcceptsKnownRoles() {
    Cluster cluster = new ClusterLoader().load(Path.of("examples/cluster.yaml"));
    ClusterLoader.checkRoleOrder(cluster, List.of("primary", "dea"));
  }

  @Test
  void roleOrderOverrideRejectsUnknownAndRepeatedRolesWithSuggestion() {
    Cluster cluster = new ClusterLoader().load(Path.of("examples/cluster.yaml"));
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> ClusterLoader.checkRoleOrder(cluster, List.of("dae", "primary", "primary")));
    assertTrue(e.getMessage().contains("unknown role 'dae' (did you mean 'dea'?)"), e.getMessage());
    assertTrue(e.getMessage().contains("role 'primary' is listed twice"), e.getMessage());
    assertFalse(e.getMessage().contains("file"), e.getMessage());
  }
}
