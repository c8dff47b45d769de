package dev.kiln.link.transport;

import dev.kiln.link.protocol.InboundMessage;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events of one Paho client, forwarded to its {@link MqttTransport}. Acknowledges an inbound QoS 1
 * message only after the handler returned, or after its stage completed for an asynchronous
 * handler: Paho runs with manual acks for that.
 */
final class PahoCallback implements MqttCallback {
  private static final Logger LOG = LoggerFactory.getLogger(PahoCallback.class);

  private final MqttTransport transport;
  private final MqttAsyncClient owner;

  PahoCallback(MqttTransport transport, MqttAsyncClient owner) {
    this.transport = transport;
    this.owner = owner;
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    transport.lost(owner, String.valueOf(response));
  }

  @Override
  public void mqttErrorOccurred(MqttException e) {
    LOG.warn("MQTT error from {}", owner.getServerURI(), e);
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) throws Exception {
    if (!transport.isCurrent(owner)) {
      return;
    }
    InboundMessage in =
        new InboundMessage(
            topic,
            message.getPayload(),
            message.getQos(),
            message.isRetained(),
            PahoProps.fromPaho(message.getProperties()));
    var later = transport.deliverLater(owner, in);
    if (later != null) {
      later.thenAccept(
          ok -> {
            if (ok && message.getQos() > 0) {
              acknowledge(message);
            }
          });
      return;
    }
    if (transport.deliver(owner, in) && message.getQos() > 0) {
      owner.messageArrivedComplete(message.getId(), message.getQos());
    }
  }

  /** From the handler's thread; a client replaced meanwhile cannot acknowledge any more. */
  private void acknowledge(MqttMessage message) {
    try {
      owner.messageArrivedComplete(message.getId(), message.getQos());
    } catch (MqttException | RuntimeException e) {
      LOG.debug("cannot acknowledge message {}: {}", message.getId(), e.toString());
    }
  }

  @Override
  public void deliveryComplete(IMqttToken token) {}

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
