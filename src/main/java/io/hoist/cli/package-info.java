/**
 * The command line: picocli commands (thin: parse, build one request, call one service, render),
 * shared option mixins, exit codes, error handling, text and JSON rendering. The only package that
 * imports picocli or writes to stdout/stderr.
 */
package io.hoist.cli;
