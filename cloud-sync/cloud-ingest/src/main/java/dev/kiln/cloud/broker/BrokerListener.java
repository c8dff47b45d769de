package dev.kiln.cloud.broker;

import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the embedded broker listens, and how. Loopback may be plain TCP with anonymous clients (a
 * laptop demo: only this machine can reach it); any other address must be TLS with client
 * certificates, because the broker is then the fleet's front door.
 *
 * @param tls null for a plain, anonymous listener
 */
public record BrokerListener(String bindAddress, int port, BrokerTls tls) {
  public BrokerListener {
    if (port < 1 || port > 65535) {
      throw new CloudException(CloudErrorCode.USAGE, "broker port must be 1-65535, got " + port);
    }
    if (tls == null && !loopback(bindAddress)) {
      throw new CloudException(
          CloudErrorCode.USAGE,
          "refusing to listen on "
              + bindAddress
              + " without TLS: anyone who reaches it could read every device's commands and"
              + " publish as any device. Keep the default --bind 127.0.0.1, or provision the"
              + " broker (`kiln fleet provision --broker-host HOST --out DIR`) and add"
              + " --tls DIR/broker");
    }
  }

  /** A plain listener on 127.0.0.1. */
  public static BrokerListener loopback(int port) {
    return new BrokerListener("127.0.0.1", port, null);
  }

  /** Whether {@code address} names this machine only; an unresolvable one does not. */
  static boolean loopback(String address) {
    if (address == null || address.isBlank()) {
      return false;
    }
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
