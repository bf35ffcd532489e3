/**
 * Command templates: parsing {@code ${name}} references, validating and shell-quoting substituted
 * values, masking secrets; and the one way hoist writes sizes and tenths in its messages ({@link
 * io.hoist.command.Quantities}). Depends on nothing of ours.
 */
package io.hoist.command;
