package io.hoist.release;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The entries of a bundle as paths inside its release root, and the rules that keep every entry
 * inside that root once unpacked by any tar. Shared by {@link BundleVerifier} (entries read from a
 * tar) and {@link BundlePacker} (entries found in a directory), so a bundle hoist packs is always
 * one it accepts.
 *
 * <p>Entries are added in archive order; {@link #add} checks what can be checked at once (name,
 * duplicates, hard links, which must point back), {@link #checkLinks} what needs the whole tree
 * (symlinks may point forward, entries may lie under a symlink added later). Not thread-safe.
 */
final class BundleTree {

  /** The kinds of entry a bundle may hold. */
  enum Kind {
    DIRECTORY("directory"),
    FILE("regular file"),
    SYMLINK("symlink"),
    HARD_LINK("hard link");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    String description() {
      return description;
    }
  }

  /** An entry is refused: its name as written in the archive and why. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final String entry;

    Refusal(String entry, String why) {
      super(why);
      this.entry = entry;
    }

    /** The entry's name as written (quoted and escaped for messages by {@link #quote}). */
    String entry() {
      return entry;
    }
  }

  /** A path inside the root; {@code kind} is null for a directory no entry names (yet). */
  private static final class Node {
    final Node parent;
    final Map<String, Node> children = new HashMap<>();
    String name;
    Kind kind;
    String linkTarget;
    Node resolved;
    boolean inside;

    Node(Node parent) {
      this.parent = parent;
    }
  }

  private final Node root = new Node(null);
  private final List<Node> entries = new ArrayList<>();

  /**
   * Adds an entry.
   *
   * @param name the name as written in the archive ({@code ./bin/acme}, {@code bin/})
   * @param linkTarget the target of a symlink or hard link, else ignored
   * @return the path inside the root, components joined by '/' ({@code bin/acme}; {@code ""}: root)
   * @throws Refusal when the name is absolute, has a {@code ..} component, repeats an earlier
   *     entry, or a hard link does not point to an earlier regular file
   */
  String add(String name, Kind kind, String linkTarget) throws Refusal {
    List<String> parts = parts(name, name, "");
    if (parts.isEmpty() && kind != Kind.DIRECTORY) {
      throw new Refusal(name, "is a " + kind.description() + " named like the release root");
    }
    Node node = root;
    for (String part : parts) {
      Node parent = node;
      node = parent.children.get(part);
      if (node == null) {
        node = new Node(parent);
        parent.children.put(part, node);
      }
    }
    if (node.kind != null) {
      throw new Refusal(name, "is a duplicate: " + quote(node.name) + " names the same path");
    }
    switch (kind) {
      case HARD_LINK -> {
        Node target = find(parts(name, linkTarget, "is a hard link whose target "));
        if (target == null || target.kind != Kind.FILE) {
          throw new Refusal(
              name,
              "is a hard link to "
                  + quote(linkTarget)
                  + ", which is not an earlier regular file of the bundle");
        }
      }
      case SYMLINK -> {
        if (linkTarget == null || linkTarget.isEmpty()) {
          throw new Refusal(name, "is a symlink with an empty target");
        }
        if (linkTarget.startsWith("/")) {
          throw new Refusal(
              name,
              "is a symlink to the absolute path "
                  + quote(linkTarget)
                  + ", outside the release root");
        }
        if (linkTarget.indexOf('\0') >= 0) {
          throw new Refusal(name, "is a symlink whose target contains a NUL character");
        }
      }
      default -> {}
    }
    node.name = name;
    node.kind = kind;
    node.linkTarget = linkTarget;
    entries.add(node);
    return String.join("/", parts);
  }

  private Node find(List<String> parts) {
    Node node = root;
    for (int i = 0; i < parts.size() && node != null; i++) {
      node = node.children.get(parts.get(i));
    }
    return node;
  }

  /** The number of entries added. */
  int size() {
    return entries.size();
  }

  /**
   * Checks what needs the whole tree: no entry lies under a symlink or under a non-directory (a tar
   * would write through the link), and every symlink, followed through the other symlinks of the
   * bundle as the kernel would, stays inside the root. Dangling targets inside the root are fine.
   *
   * @throws Refusal naming the first offending entry in archive order
   */
  void checkLinks() throws Refusal {
    root.inside = true;
    for (Node entry : entries) {
      // Walk up to the first ancestor already known to be fine; each node is walked once.
      for (Node up = entry.parent; up != null && !up.inside; up = up.parent) {
        if (up.kind != null && up.kind != Kind.DIRECTORY) {
          throw new Refusal(
              entry.name,
              "lies under "
                  + quote(up.name)
                  + ", which is a "
                  + up.kind.description()
                  + ", not a directory");
        }
        up.inside = true;
      }
    }
    for (Node entry : entries) {
      if (entry.kind == Kind.SYMLINK) {
        resolve(entry, new HashSet<>());
      }
    }
  }

  /**
   * Where a symlink leads: its target followed component by component from the link's directory,
   * replacing a component that is a symlink of the bundle by where that one leads, so {@code
   * d/l/..} with {@code d/l -> ..} is the root's parent, as on disk, and not {@code d} as the text
   * says. Each link is resolved once (memoised): the work stays linear in the size of the bundle
   * whatever the links point to.
   */
  private Node resolve(Node link, Set<Node> following) throws Refusal {
    if (link.resolved != null) {
      return link.resolved;
    }
    if (!following.add(link)) {
      throw new Refusal(link.name, "is a symlink in a loop of symlinks");
    }
    Node at = link.parent;
    for (String part : link.linkTarget.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (at.parent == null) {
          throw new Refusal(
              link.name,
              "is a symlink to "
                  + quote(link.linkTarget)
                  + ", which resolves outside the release root");
        }
        at = at.parent;
        continue;
      }
      Node child = at.children.get(part);
      if (child == null) {
        // Not in the bundle: a dangling path below here; '..' comes back up through it.
        child = new Node(at);
      } else if (child.kind == Kind.SYMLINK) {
        child = resolve(child, following);
      }
      at = child;
    }
    following.remove(link);
    link.resolved = at;
    return at;
  }

  /**
   * The components of {@code path} inside the root, without empty and {@code .} components.
   *
   * @throws Refusal for an absolute path, a {@code ..} component (even one that would stay inside
   *     after normalisation: tars differ in how they treat it), a NUL, or an empty name
   */
  private static List<String> parts(String entry, String path, String what) throws Refusal {
    if (path == null || path.isEmpty()) {
      throw new Refusal(entry, what.isEmpty() ? "has an empty name" : what + "is empty");
    }
    String subject = what.isEmpty() ? "is " : what + quote(path) + " is ";
    if (path.startsWith("/")) {
      throw new Refusal(entry, subject + "an absolute path");
    }
    if (path.indexOf('\0') >= 0) {
      throw new Refusal(entry, subject + "a name with a NUL character");
    }
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      if (part.equals("..")) {
        throw new Refusal(
            entry,
            (what.isEmpty() ? "has" : what + quote(path) + " has")
                + " a '..' component, which could leave the release root");
      }
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    return parts;
  }

  /**
   * Quotes a name for a message; control characters are escaped ({@code \n}, {@code \u001b}) so
   * that a hostile entry name cannot rewrite the terminal it is reported on.
   */
  static String quote(String name) {
    StringBuilder out = new StringBuilder(name.length() + 2).append('\'');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\\') {
        out.append("\\\\");
      } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        out.append("\\u").append(String.valueOf(Integer.toHexString(0x10000 | c)).substring(1));
      } else {
        out.append(c);
      }
    }
    return out.append('\'').toString();
  }
}
