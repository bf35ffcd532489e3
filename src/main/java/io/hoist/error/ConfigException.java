package io.hoist.error;

import java.util.List;
import java.util.stream.Collectors;

/** The cluster file cannot be used: every problem found, each with its position. */
public final class ConfigException extends HoistException {

  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(Problem problem) {
    this(List.of(problem));
  }

  /** The problems, in file order. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a config error needs at least one problem");
    }
    String lines = problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
    return problems.size() == 1
        ? lines
        : lines + "\n" + problems.size() + " problems in the cluster file";
  }
}
