package io.hoist.config;

/** A position in the cluster file: 1-based line and column (in code points). */
record Mark(int line, int column) implements Comparable<Mark> {

  static final Mark NONE = new Mark(0, 0);

  @Override
  public int compareTo(Mark other) {
    return line != other.line
        ? Integer.compare(line, other.line)
        : Integer.compare(column, other.column);
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
