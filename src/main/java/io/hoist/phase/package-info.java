/**
 * The one phase mechanism of a node's upgrade: a {@link io.hoist.phase.Phase} is a check (already
 * done?), an action and an undo; the {@link io.hoist.phase.PhaseRunner} runs a node's phases in
 * order, records each in a {@link io.hoist.phase.RunRecord}, and on a failure undoes what was done
 * in reverse, returning a {@link io.hoist.phase.NodeOutcome} value. The phases themselves ({@link
 * io.hoist.phase.InstallPhase}, {@link io.hoist.phase.RestartPhase}, {@link
 * io.hoist.phase.PostValidatePhase}, {@link io.hoist.phase.VersionCheckPhase}, {@link
 * io.hoist.phase.PreValidatePhase}, {@link io.hoist.phase.RetirePhase}, {@link
 * io.hoist.phase.BackupPhase}, {@link io.hoist.phase.MigratePhase}, {@link
 * io.hoist.phase.RejoinPhase}) run the commands the plan already rendered; the backup phase keeps a
 * verified archive on the core node and restores it on undo. Depends on {@code model}, {@code
 * command}, {@code plan}, {@code backup}, the {@code transport} interfaces and {@code error}; never
 * on a transport implementation, picocli or Jackson.
 */
package io.hoist.phase;
