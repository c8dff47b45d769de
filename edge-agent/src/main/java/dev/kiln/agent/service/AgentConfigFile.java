package dev.kiln.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The few agent-config keys the installer must see before the agent ever runs: where state lives
 * (for the unit's sandbox) and the HTTP port (the unit grants no capabilities, so no port below
 * 1024). The agent validates the rest itself when it starts.
 */
public record AgentConfigFile(byte[] bytes, Path stateDir, int port) {
  public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/kiln");
  public static final int DEFAULT_PORT = 8080;

  public static AgentConfigFile parse(byte[] bytes, String source) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          source + " is not valid JSON (" + e.getMessage() + "); fix the file",
          e);
    }
    if (root == null || !root.isObject()) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID, source + " must hold a JSON object");
    }
    Path stateDir = Path.of(root.path("stateDir").asText(DEFAULT_STATE_DIR.toString()));
    int port = root.path("http").path("port").asInt(DEFAULT_PORT);
    if (port < 1024 || port > 65535) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          source
              + ": http.port "
              + port
              + " is not allowed; the service runs without CAP_NET_BIND_SERVICE,"
              + " so use a port from 1024 to 65535 (default 8080)");
    }
    return new AgentConfigFile(bytes, stateDir, port);
  }

  /** A config for a fresh device: loopback only, signatures required, keys under /etc/kiln. */
  public static AgentConfigFile defaults(String deviceId, Path etcDir) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("deviceId", deviceId);
    root.put("stateDir", DEFAULT_STATE_DIR.toString());
    root.putObject("http").put("host", "127.0.0.1").put("port", DEFAULT_PORT);
    root.putObject("security")
        .put("trustedKeysDir", etcDir.resolve("keys").toString())
        .put("requireSignature", true);
    try {
      byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
      return parse(bytes, "default config");
    } catch (IOException e) {
      throw new ServiceException(ServiceErrorCode.CONFIG_INVALID, "cannot render defaults", e);
    }
  }
}
