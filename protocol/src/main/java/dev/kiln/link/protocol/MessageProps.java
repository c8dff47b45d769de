package dev.kiln.link.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The MQTT 5 publish properties Kiln uses, without any client library's types, so protocol code
 * stays independent of Paho. Null fields are not sent.
 *
 * @param messageExpirySeconds broker drops the message if undelivered after this long
 */
public record MessageProps(
    String contentType,
    Long messageExpirySeconds,
    String responseTopic,
    byte[] correlationData,
    Map<String, String> userProperties) {

  public MessageProps {
    userProperties = userProperties == null ? Map.of() : Map.copyOf(userProperties);
  }

  public static MessageProps none() {
    return new MessageProps(null, null, null, null, Map.of());
  }

  public MessageProps withUserProperty(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(userProperties);
    m.put(key, value);
    return new MessageProps(contentType, messageExpirySeconds, responseTopic, correlationData, m);
  }

  public MessageProps withExpiry(Long seconds) {
    return new MessageProps(contentType, seconds, responseTopic, correlationData, userProperties);
  }

  public String userProperty(String key) {
    return userProperties.get(key);
  }
}
