package dev.kiln.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTableTest {
  @Test
  void columns_areAlignedTwoSpacesApart_withoutTrailingBlanks() {
    String out = new TextTable("device_id", "n").row("dev-0", 20).row("dev-10", 7).render();

    assertThat(out).isEqualTo("device_id  n\n" + "dev-0      20\n" + "dev-10     7\n");
  }

  @Test
  void nullEmptyAndMissingCells_showAsDash() {
    String out = new TextTable("A", "B", "C").row(null, "").row("x").render();

    assertThat(out.lines()).containsExactly("A  B  C", "-  -  -", "x  -  -");
  }

  @Test
  void aWideCell_widensItsColumnOnly() {
    String out = new TextTable("op", "before", "after").row("BatchNormalization", 2, 0).render();

    assertThat(out.lines())
        .containsExactly("op                  before  after", "BatchNormalization  2       0");
  }

  @Test
  void aTableWithNoRows_isItsHeader() {
    assertThat(new TextTable("DEVICE", "ONLINE").render()).isEqualTo("DEVICE  ONLINE\n");
  }

  @Test
  void moreCellsThanColumns_isRefused() {
    assertThatThrownBy(() -> new TextTable("A").row("x", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 cells for 1 columns");
  }
}
