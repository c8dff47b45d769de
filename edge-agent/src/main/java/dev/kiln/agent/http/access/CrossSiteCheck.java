package dev.kiln.agent.http.access;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses state-changing requests that a web page could have sent. Browsers add {@code Origin} to
 * every cross-origin POST, PUT, DELETE and PATCH, even a "simple" {@code text/plain} one that needs
 * no CORS preflight, and {@code Sec-Fetch-Site} to every request; scripts and tools on the device
 * send neither. The agent serves no web pages of its own, so no origin is trusted unless listed in
 * {@code http.allowedOrigins}.
 */
public final class CrossSiteCheck {
  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final List<String> allowedOrigins;

  public CrossSiteCheck(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * @param origin the {@code Origin} header, or null
   * @param fetchSite the {@code Sec-Fetch-Site} header, or null
   * @throws AgentException FORBIDDEN when a state-changing request comes from a foreign origin
   */
  public void check(String method, String origin, String fetchSite) {
    if (SAFE_METHODS.contains(method)) {
      return;
    }
    if (origin != null) {
      if (allowedOrigins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
        return;
      }
      throw forbidden("Origin " + shortened(origin) + " is not in http.allowedOrigins");
    }
    if (fetchSite != null && fetchSite.strip().equalsIgnoreCase("cross-site")) {
      throw forbidden("Sec-Fetch-Site is cross-site");
    }
  }

  private static AgentException forbidden(String why) {
    return new AgentException(
        AgentErrorCode.FORBIDDEN,
        "cross-site request refused: "
            + why
            + "; web pages may not change the agent or run models. Call the API from a script or"
            + " tool, or list the page's origin in http.allowedOrigins");
  }

  private static String shortened(String value) {
    String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= 100
        ? "'" + printable + "'"
        : "'" + printable.substring(0, 100) + "...'";
  }
}
