package dev.kiln.cloud.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cloud.service.auth.Role;
import dev.kiln.cloud.service.auth.TokenStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** POST /tokens (admin): a new token, shown only in this reply, as kiln cloud token create does. */
public final class TokenRoutes {
  private final TokenStore tokens;

  public TokenRoutes(TokenStore tokens) {
    this.tokens = tokens;
  }

  public List<Route> routes() {
    return List.of(Route.post("/tokens", Role.ADMIN, this::create));
  }

  private Route.Reply create(ApiCall call) throws Exception {
    JsonNode body = call.body();
    String name = body.path("name").asText(null);
    Role role = Role.parse(body.path("role").asText(null));
    String token = tokens.create(name, role);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("role", role.wireName());
    out.put("token", token);
    return new Route.Reply(201, out);
  }
}
