package dev.kiln.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputShapesTest {
  @Test
  void parse_readsSingleShape() {
    Map<String, long[]> shapes = InputShapes.parse("input:1x3x224x224");
    assertThat(shapes).containsOnlyKeys("input");
    assertThat(shapes.get("input")).containsExactly(1, 3, 224, 224);
  }

  @Test
  void parse_readsCommaSeparatedAndRepeatedValues_inOrder() {
    Map<String, long[]> shapes = InputShapes.parse(List.of("a:1x8, b:1x4", "c:2"));
    assertThat(shapes.keySet()).containsExactly("a", "b", "c");
    assertThat(shapes.get("b")).containsExactly(1, 4);
    assertThat(shapes.get("c")).containsExactly(2);
  }

  @Test
  void parse_keepsColonsInNames() {
    assertThat(InputShapes.parse("input:0:1x3").get("input:0")).containsExactly(1, 3);
  }

  @Test
  void parse_fails_whenColonMissing() {
    assertThatThrownBy(() -> InputShapes.parse("input=1x3"))
        .isInstanceOfSatisfying(
            IrException.class, e -> assertThat(e.code()).isEqualTo(IrErrorCode.BAD_SHAPE_SPEC))
        .hasMessageContaining("'input=1x3'")
        .hasMessageContaining("input:1x3x224x224");
  }

  @Test
  void parse_fails_whenDimNotANumber() {
    assertThatThrownBy(() -> InputShapes.parse("input:1xbatchx3"))
        .hasMessageContaining("dimension 1 ('batch') is not a whole number");
  }

  @Test
  void parse_fails_whenDimNotPositive() {
    assertThatThrownBy(() -> InputShapes.parse("input:1x0x3"))
        .hasMessageContaining("dimension 1 is 0; every dimension must be at least 1");
    assertThatThrownBy(() -> InputShapes.parse("input:-1x3")).hasMessageContaining("is -1");
  }

  @Test
  void parse_fails_whenEmptyOrDuplicate() {
    assertThatThrownBy(() -> InputShapes.parse("input:")).hasMessageContaining("no dimensions");
    assertThatThrownBy(() -> InputShapes.parse(" ")).hasMessageContaining("empty shape");
    assertThatThrownBy(() -> InputShapes.parse("a:1,a:2")).hasMessageContaining("given twice");
  }

  @Test
  void format_isInverseOfParse() {
    assertThat(InputShapes.format(new long[] {1, 3, 32, 32})).isEqualTo("1x3x32x32");
  }
}
