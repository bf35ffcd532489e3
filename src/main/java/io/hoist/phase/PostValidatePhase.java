package io.hoist.phase;

import io.hoist.model.PhaseId;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Waits until the node is healthy: runs the plan's health command up to {@code retries + 1} times,
 * {@code interval} apart, each try within the command time limit ({@link HealthWait}). Without a
 * health check the plan's step is the version command, which must print the target version (one
 * try). In one-shot mode the tries go on until the window's deadline instead. Never "done"; changes
 * nothing, so it has no undo.
 */
public final class PostValidatePhase implements Phase {

  private final Supplier<Optional<HealthWait.Deadline>> deadline;

  /** Tries as many times as the health check's {@code retries} say. */
  public PostValidatePhase() {
    this.deadline = Optional::empty;
  }

  /**
   * Tries until {@code deadline} (asked when the phase starts) is reached: the one-shot window.
   *
   * @param deadline when the window closes
   * @param clock the clock the deadline is on
   */
  public PostValidatePhase(Supplier<java.time.Instant> deadline, java.time.Clock clock) {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(clock, "clock");
    this.deadline = () -> Optional.of(new HealthWait.Deadline(deadline.get(), clock));
  }

  @Override
  public PhaseId id() {
    return PhaseId.POST_VALIDATE;
  }

  @Override
  public boolean isDone(PhaseContext context) {
    return false;
  }

  @Override
  public void run(PhaseContext context) {
    HealthWait.await(
        context,
        id(),
        context.requireStep(id()).commands().get(0),
        context.steps().to(),
        deadline.get());
  }
}
