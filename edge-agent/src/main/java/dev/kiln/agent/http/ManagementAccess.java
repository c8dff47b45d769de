package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.http.access.BearerToken;
import dev.kiln.agent.http.access.CrossSiteCheck;
import dev.kiln.agent.http.access.OpenEndpoints;
import dev.kiln.agent.http.access.TokenFile;

/**
 * Runs first on every request, before routing reads a body: refuses cross-site state changes (403),
 * then asks for the bearer token or a verified client certificate on every endpoint that is not
 * open (401).
 */
final class ManagementAccess {
  private final CrossSiteCheck crossSite;
  private final OpenEndpoints open;
  private final BearerToken token;

  /** Reads (or on first start creates) the token file; a bad one is a config error. */
  ManagementAccess(AgentConfig config) {
    this.crossSite = new CrossSiteCheck(config.http().allowedOrigins());
    this.open = new OpenEndpoints(config.http().auth().openEndpoints());
    this.token = TokenFile.load(config.http().auth().tokenFile(), config.stateDir());
  }

  void check(Exchange ex) {
    crossSite.check(ex.method(), ex.header("Origin"), ex.header("Sec-Fetch-Site"));
    if (open.isOpen(ex.method(), ex.path())
        || ex.verifiedClientCertificate().isPresent()
        || token.accepts(ex.header("Authorization"))) {
      return;
    }
    ex.responseHeader("WWW-Authenticate", "Bearer realm=\"kiln-agent\"");
    throw new AgentException(
        AgentErrorCode.UNAUTHORIZED,
        ex.header("Authorization") == null
            ? ex.method()
                + " "
                + ex.path()
                + " needs 'Authorization: Bearer <token>'; the token is in the file named by"
                + " http.auth.tokenFile (default <stateDir>/auth/token)"
            : "the bearer token is not the agent's; use the one in http.auth.tokenFile (default"
                + " <stateDir>/auth/token)");
  }
}
