package dev.kiln.link.transport;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import dev.kiln.link.protocol.MessageProps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Translation between Kiln's {@link MessageProps}/config and Paho's types; used only by the
 * transport.
 */
final class PahoProps {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PahoProps.class);

  private PahoProps() {}

  static MqttProperties toPaho(MessageProps p) {
    MqttProperties m = new MqttProperties();
    if (p == null) {
      return m;
    }
    if (p.contentType() != null) {
      m.setContentType(p.contentType());
    }
    if (p.messageExpirySeconds() != null) {
      m.setMessageExpiryInterval(p.messageExpirySeconds());
    }
    if (p.responseTopic() != null) {
      m.setResponseTopic(p.responseTopic());
    }
    if (p.correlationData() != null) {
      m.setCorrelationData(p.correlationData());
    }
    if (!p.userProperties().isEmpty()) {
      List<UserProperty> ups = new ArrayList<>();
      p.userProperties().forEach((k, v) -> ups.add(new UserProperty(k, v)));
      m.setUserProperties(ups);
    }
    return m;
  }

  static MessageProps fromPaho(MqttProperties m) {
    if (m == null) {
      return MessageProps.none();
    }
    Map<String, String> ups = new LinkedHashMap<>();
    if (m.getUserProperties() != null) {
      for (UserProperty u : m.getUserProperties()) {
        ups.put(u.getKey(), u.getValue());
      }
    }
    return new MessageProps(
        m.getContentType(),
        m.getMessageExpiryInterval(),
        m.getResponseTopic(),
        m.getCorrelationData(),
        ups);
  }

  /**
   * Completes {@code f} on success; fails it on failure, on a reason code >= 0x80, and on 0x10 (no
   * matching subscribers): a message nobody received is not delivered, and callers that keep data
   * (the outbox) must keep it and retry rather than count it as sent.
   */
  static MqttActionListener completing(CompletableFuture<Void> f, String what) {
    return completing(f, what, LinkErrorCode.PUBLISH_FAILED);
  }

  /** As above; {@code refused} names a failure or a reason code >= 0x80. */
  static MqttActionListener completing(
      CompletableFuture<Void> f, String what, LinkErrorCode refused) {
    return new MqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        if (codes != null) {
          for (int c : codes) {
            if (c == 0x10) {
              f.completeExceptionally(
                  new LinkException(
                      LinkErrorCode.NO_SUBSCRIBERS, what + ": broker has no subscriber for it"));
              return;
            }
            if (c >= 0x80) {
              f.completeExceptionally(
                  new LinkException(
                      refused,
                      what + " refused by broker with reason code 0x" + Integer.toHexString(c)));
              return;
            }
          }
        }
        f.complete(null);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable e) {
        f.completeExceptionally(new LinkException(refused, what + " failed", e));
      }
    };
  }

  static MqttConnectionOptions connectOptions(
      TransportConfig c, SSLSocketFactory socketFactory, MqttTransport.Will will) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    // Persistent session: commands queued while offline are delivered, subscriptions survive.
    o.setCleanStart(false);
    o.setSessionExpiryInterval(c.sessionExpiry().toSeconds());
    o.setKeepAliveInterval((int) c.keepAlive().toSeconds());
    o.setConnectionTimeout((int) Math.max(1, c.connectTimeout().toSeconds()));
    // Our own loop reconnects, with jitter, which Paho's automatic reconnect lacks.
    o.setAutomaticReconnect(false);
    if (c.username() != null) {
      o.setUserName(c.username());
    }
    if (c.password() != null) {
      o.setPassword(new String(c.password()).getBytes(StandardCharsets.UTF_8));
    }
    if (socketFactory != null) {
      o.setSocketFactory(socketFactory);
    }
    if (will != null) {
      MqttMessage w = new MqttMessage(will.payload());
      w.setQos(1);
      w.setRetained(will.retained());
      o.setWill(will.topic(), w);
      o.setWillMessageProperties(toPaho(will.props()));
    }
    return o;
  }

  /** Closes a client we are done with, whatever state it is in. */
  static void discard(MqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 100, false);
      }
    } catch (MqttException e) {
      LOG.debug("forced disconnect failed", e);
    }
    try {
      c.close(true);
    } catch (MqttException e) {
      LOG.debug("close failed", e);
    }
  }
}
