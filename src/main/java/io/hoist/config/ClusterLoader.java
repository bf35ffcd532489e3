package io.hoist.config;

import io.hoist.error.ConfigException;
import io.hoist.error.Suggestions;
import io.hoist.error.UsageException;
import io.hoist.model.Cluster;
import io.hoist.model.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Loads a cluster file into a {@link Cluster}: reads the YAML, checks every key and value, applies
 * the defaults and merges each node's {@code ssh} and {@code layout} over the cluster's. Stateless
 * and thread-safe.
 */
public final class ClusterLoader {

  /**
   * Loads and validates the cluster file.
   *
   * @param file the file; problems name it as given
   * @return the cluster, defaults applied
   * @throws ConfigException with every problem found (unreadable file, YAML syntax, unknown keys,
   *     wrong values...), in file order
   */
  public Cluster load(Path file) {
    Objects.requireNonNull(file, "file");
    Problems problems = new Problems(file.toString());
    YamlNode root = YamlReader.read(file, problems);
    Cluster cluster = root == null ? null : ClusterBinder.bind(root, problems);
    problems.throwIfAny();
    if (cluster == null) {
      // The binder returns null only after recording a problem; this would be a bug.
      throw new IllegalStateException("no cluster and no problem for " + file);
    }
    return cluster;
  }

  /**
   * Checks a role order given on the command line ({@code --role-order}): every name must be a role
   * of the cluster, none twice.
   *
   * @throws UsageException naming every unknown (with a suggestion) or repeated role
   */
  public static void checkRoleOrder(Cluster cluster, List<String> roleOrder) {
    List<String> known = cluster.roles().stream().map(Role::name).toList();
    List<String> complaints = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String role : roleOrder) {
      if (!known.contains(role)) {
        complaints.add("unknown role '" + role + "'" + Suggestions.didYouMean(role, known));
      } else if (!seen.add(role)) {
        complaints.add("role '" + role + "' is listed twice");
      }
    }
    if (!complaints.isEmpty()) {
      throw new UsageException(
          "--role-order: "
              + String.join("; ", complaints)
              + "; the cluster's roles are: "
              + (known.isEmpty() ? "(none)" : String.join(", ", known)));
    }
  }
}
