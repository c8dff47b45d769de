package dev.kiln.cloud.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.kiln.link.protocol.Provenance;
import dev.kiln.link.protocol.TopicAcl;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's access control, as a HiveMQ embedded extension. With mutual TLS, a client
 * is the CN of its certificate (the listener has already checked it chains to the fleet CA); a
 * certificate whose CN is neither a device id nor a service name is refused, a device must use its
 * id as MQTT client id, and every publish and subscription is judged by {@link TopicAcl}. In both
 * modes every inbound PUBLISH carries {@link Provenance#IDENTITY_PROPERTY} only as the broker sets
 * it: a client's own copy is removed, and with TLS the authenticated identity is stamped, so the
 * ingestor and the console can tell who published.
 */
final class AccessControl implements ExtensionMain {
  private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
  private static final String IDENTITY_ATTRIBUTE = "kiln.identity";

  private final boolean mutualTls;

  AccessControl(boolean mutualTls) {
    this.mutualTls = mutualTls;
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    if (mutualTls) {
      Services.securityRegistry()
          .setAuthenticatorProvider(in -> (SimpleAuthenticator) this::connect);
      Services.securityRegistry().setAuthorizerProvider(in -> new TopicAuthorizer());
    }
    PublishInboundInterceptor stamp =
        (in, out) -> {
          ModifiableUserProperties props = out.getPublishPacket().getUserProperties();
          props.removeName(Provenance.IDENTITY_PROPERTY);
          identity(in.getConnectionInformation())
              .ifPresent(id -> props.addUserProperty(Provenance.IDENTITY_PROPERTY, id));
        };
    Services.initializerRegistry()
        .setClientInitializer((in, client) -> client.addPublishInboundInterceptor(stamp));
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}

  private void connect(SimpleAuthInput in, SimpleAuthOutput out) {
    Optional<String> cn =
        in.getConnectionInformation()
            .getClientTlsInformation()
            .flatMap(ClientTlsInformation::getClientCertificate)
            .flatMap(AccessControl::commonName);
    if (cn.isEmpty() || TopicAcl.Role.of(cn.get()) == null) {
      LOG.warn(
          "refusing client {}: {}",
          in.getClientInformation().getClientId(),
          cn.isEmpty()
              ? "no client certificate"
              : "certificate CN '" + cn.get() + "' is not a device id or a fleet service");
      out.failAuthentication(
          ConnackReasonCode.NOT_AUTHORIZED, "a fleet client certificate is required");
      return;
    }
    String clientId = in.getClientInformation().getClientId();
    if (TopicAcl.Role.of(cn.get()) == TopicAcl.Role.DEVICE && !clientId.equals(cn.get())) {
      // Taking over another device's client id would inherit its session: its subscriptions,
      // authorized for that device, and the commands queued for it.
      LOG.warn("refusing client {}: device {} must connect with its own id", clientId, cn.get());
      out.failAuthentication(
          ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "a device connects with its device id as client id");
      return;
    }
    in.getConnectionInformation()
        .getConnectionAttributeStore()
        .putAsString(IDENTITY_ATTRIBUTE, cn.get());
    out.authenticateSuccessfully();
  }

  private static Optional<String> identity(ConnectionInformation c) {
    return c.getConnectionAttributeStore().getAsString(IDENTITY_ATTRIBUTE);
  }

  static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      LOG.warn("unreadable certificate subject {}", cert.getSubjectX500Principal());
    }
    return Optional.empty();
  }

  /** Judges publishes (wills included) and subscriptions by {@link TopicAcl}. */
  private static final class TopicAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
    @Override
    public void authorizePublish(PublishAuthorizerInput in, PublishAuthorizerOutput out) {
      String topic = in.getPublishPacket().getTopic();
      String who = identity(in.getConnectionInformation()).orElse(null);
      if (TopicAcl.mayPublish(who, topic)) {
        out.authorizeSuccessfully();
      } else {
        LOG.debug("refusing publish by {} to {}", who, topic);
        out.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not your topic: " + topic);
      }
    }

    @Override
    public void authorizeSubscribe(
        SubscriptionAuthorizerInput in, SubscriptionAuthorizerOutput out) {
      String filter = in.getSubscription().getTopicFilter();
      String who = identity(in.getConnectionInformation()).orElse(null);
      if (TopicAcl.maySubscribe(who, filter)) {
        out.authorizeSuccessfully();
      } else {
        LOG.debug("refusing subscription by {} to {}", who, filter);
        out.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not your topics: " + filter);
      }
    }
  }
}
