package dev.kiln.cli.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromotionTest {
  private static FieldAccuracy.Figure v1(long n, double acc) {
    return new FieldAccuracy.Figure("1", false, n, acc);
  }

  private static FieldAccuracy.Figure v2(long n, double acc) {
    return new FieldAccuracy.Figure("2", true, n, acc);
  }

  @Test
  void promotes_whenVersion2IsBetterByMoreThanTheMargin_onEnoughLabels() {
    Promotion p = Promotion.decide(v1(800, 0.745), v2(800, 0.994));
    assertThat(p.promote()).isTrue();
    assertThat(p.labelled()).isEqualTo(800);
    assertThat(p.reason())
        .startsWith("promote: version 2 0.994 vs version 1 0.745 on 800 labelled drifted requests");
  }

  @Test
  void keepsVersion1_whenVersion2IsNotBetterByTheMargin() {
    assertThat(Promotion.decide(v1(800, 0.90), v2(800, 0.91)).promote()).isFalse();
    assertThat(Promotion.decide(v1(800, 0.90), v2(800, 0.80)).reason())
        .startsWith("keep version 1: ");
  }

  @Test
  void keepsVersion1_withTooFewLabels_orNone() {
    Promotion few = Promotion.decide(v1(150, 0.5), v2(150, 1.0));
    assertThat(few.promote()).isFalse();
    assertThat(few.reason()).contains("fewer than 200 labels");
    assertThat(Promotion.decide(v1(800, 0.5), null).promote()).isFalse();
  }
}
