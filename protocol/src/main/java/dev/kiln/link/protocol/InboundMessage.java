package dev.kiln.link.protocol;

/** A message as received from the broker. */
public record InboundMessage(
    String topic, byte[] payload, int qos, boolean retained, MessageProps props) {}
