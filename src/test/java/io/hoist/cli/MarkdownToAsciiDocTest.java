package io.hoist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README-to-man-page conversion behind {@code hoist-cluster.yaml(5)}. */
class MarkdownToAsciiDocTest {

  @Test
  void aKeyTableBecomesADefinitionListWithLabelledColumns() {
    String adoc =
        MarkdownToAsciiDoc.convert(
            """
            | Key | Type | Default | Meaning |
            |-----|------|---------|---------|
            | `keep` | integer 1..100 | `3` | How many releases each node keeps. |
            """);

    assertEquals(
        "**++keep++**::\n"
            + "  _Type_: ++integer 1..100++. _Default_: **++3++**. ++How many releases each node"
            + " keeps.++\n\n",
        adoc);
  }

  @Test
  void templateVariablesAndAsciiDocSyntaxReachThePageLiterally() {
    String adoc = MarkdownToAsciiDoc.inline("use `${home}/data` or {attr} *not bold* a|b");

    assertEquals("++use ++**++${home}/data++**++ or {attr} *not bold* a|b++", adoc);
  }

  @Test
  void escapedPipesStayInTheirCellAndLinksKeepTheirText() {
    String adoc =
        MarkdownToAsciiDoc.convert(
            """
            | Kind | Written as |
            |---|---|
            | range | `a \\|\\| b`, see [ssh](#ssh) and [the example](examples/cluster.yaml) |
            """);

    assertTrue(adoc.contains("**++a || b++**"), adoc);
    assertTrue(adoc.contains("++ssh++"), adoc);
    assertTrue(adoc.contains("++the example++ (++examples/cluster.yaml++)"), adoc);
  }

  @Test
  void headingsListsAndParagraphs() {
    String adoc =
        MarkdownToAsciiDoc.convert(
            """
            ### ssh

            First line
            continued.

            1. one;
            2. **two**.
            """);

    assertEquals(
        "=== ++ssh++\n\n++First line continued.++\n\n. ++one;++\n. **++two++**++.++\n\n", adoc);
  }

  @Test
  void theChapterEndsAtTheNextChapter() {
    String chapter =
        MarkdownToAsciiDoc.chapter(
            "# t\n\n## A\n\na\n\n## The cluster file\n\nbody\n\n## B\n", "The cluster file");

    assertEquals("\nbody\n", chapter);
    assertThrows(IllegalArgumentException.class, () -> MarkdownToAsciiDoc.chapter("", "X"));
  }
}
