/**
 * The one family of exceptions hoist throws on purpose. Each type maps to one exit code (the
 * mapping lives in {@code io.hoist.cli.ExitCode}); its message says what happened, where, and what
 * to do. Depends on nothing of ours; every other package may use it.
 */
package io.hoist.error;
