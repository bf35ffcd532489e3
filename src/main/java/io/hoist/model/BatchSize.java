package io.hoist.model;

/**
 * One entry of a role's ramp ({@code batches: [1, 5, "20%"]}): a number of nodes, or a percentage
 * of the role's nodes in the hop.
 *
 * @param count nodes in the batch (at least 1), or 0 when {@code percent} is set
 * @param percent a percentage of the role's nodes in the hop (1 to 100), or 0 when {@code count} is
 *     set
 */
public record BatchSize(int count, int percent) {

  public BatchSize {
    if ((count > 0) == (percent > 0) || count < 0 || percent < 0 || percent > 100) {
      throw new IllegalArgumentException(
          "a batch size is a count of at least 1 or a percentage from 1 to 100: "
              + count
              + ", "
              + percent
              + "%");
    }
  }

  /** A batch of {@code count} nodes. */
  public static BatchSize of(int count) {
    return new BatchSize(count, 0);
  }

  /** A batch of {@code percent} % of the role's nodes. */
  public static BatchSize percent(int percent) {
    return new BatchSize(0, percent);
  }

  /**
   * The batch's size for a role placing {@code nodes} nodes in the hop: a percentage is rounded
   * down, as Ansible's {@code serial} does, and is at least 1.
   */
  public int size(int nodes) {
    if (count > 0) {
      return count;
    }
    return Math.max(1, (int) ((long) nodes * percent / 100));
  }

  /** As written in the cluster file: {@code 5} or {@code 20%}. */
  @Override
  public String toString() {
    return count > 0 ? Integer.toString(count) : percent + "%";
  }
}
