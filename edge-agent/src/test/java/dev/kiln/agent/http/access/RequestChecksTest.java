package dev.kiln.agent.http.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-request decisions: which endpoints are open, cross-site refusals, token matching. */
class RequestChecksTest {
  private static final OpenEndpoints DEFAULT_OPEN =
      new OpenEndpoints(
          List.of("GET /ping", "GET /metrics", "POST /invocations", "POST /models/*/invocations"));

  @Test
  void openEndpoints_matchMethodAndPath_withStarForOneSegment() {
    assertThat(DEFAULT_OPEN.isOpen("GET", "/ping")).isTrue();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/invocations")).isTrue();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models/mlp/invocations")).isTrue();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models/mlp/invocations/")).isTrue();

    assertThat(DEFAULT_OPEN.isOpen("POST", "/ping")).as("method counts").isFalse();
    assertThat(DEFAULT_OPEN.isOpen("GET", "/models")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("PUT", "/models/mlp/variants")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models/invocations")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models//invocations")).as("* is not empty").isFalse();
    assertThat(DEFAULT_OPEN.isOpen("POST", "/models/a/b/invocations")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("DELETE", "/models/mlp")).isFalse();
    assertThat(DEFAULT_OPEN.isOpen("PUT", "/pipelines/p")).isFalse();
    assertThat(new OpenEndpoints(List.of()).isOpen("GET", "/ping")).isFalse();
  }

  @Test
  void crossSite_refusesForeignOriginsOnStateChangingMethods_only() {
    CrossSiteCheck check = new CrossSiteCheck(List.of("https://dash.example.com"));
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "PROPFIND")) {
      assertThatThrownBy(() -> check.check(method, "https://evil.example", null))
          .isInstanceOfSatisfying(
              AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.FORBIDDEN))
          .hasMessageContaining("'https://evil.example' is not in http.allowedOrigins");
      assertThatThrownBy(() -> check.check(method, "null", null))
          .as("sandboxed frames send Origin: null")
          .isInstanceOf(AgentException.class);
      assertThatThrownBy(() -> check.check(method, null, "cross-site"))
          .isInstanceOf(AgentException.class)
          .hasMessageContaining("Sec-Fetch-Site");
    }
    assertThatCode(() -> check.check("POST", null, null))
        .as("scripts and tools send no Origin")
        .doesNotThrowAnyException();
    assertThatCode(() -> check.check("POST", "HTTPS://Dash.example.com", "cross-site"))
        .as("a listed origin passes, even from another site")
        .doesNotThrowAnyException();
    assertThatCode(() -> check.check("GET", "https://evil.example", "cross-site"))
        .as("reads change nothing; the browser keeps the answer from the page without CORS")
        .doesNotThrowAnyException();
    assertThatCode(() -> check.check("POST", null, "same-origin")).doesNotThrowAnyException();
  }

  @Test
  void crossSite_withNoOriginsAllowed_refusesEveryOrigin() {
    CrossSiteCheck none = new CrossSiteCheck(List.of());
    assertThatThrownBy(() -> none.check("POST", "http://127.0.0.1:8080", null))
        .isInstanceOf(AgentException.class);
  }

  @Test
  void bearerToken_acceptsOnlyTheExactTokenUnderTheBearerScheme() {
    BearerToken token = new BearerToken("s3cret-token_value");
    assertThat(token.accepts("Bearer s3cret-token_value")).isTrue();
    assertThat(token.accepts("bearer  s3cret-token_value ")).isTrue();

    assertThat(token.accepts(null)).isFalse();
    assertThat(token.accepts("")).isFalse();
    assertThat(token.accepts("Bearer ")).isFalse();
    assertThat(token.accepts("Bearer s3cret-token_valu")).isFalse();
    assertThat(token.accepts("Bearer s3cret-token_value2")).isFalse();
    assertThat(token.accepts("Basic s3cret-token_value")).isFalse();
    assertThat(token.accepts("s3cret-token_value")).isFalse();
  }
}
