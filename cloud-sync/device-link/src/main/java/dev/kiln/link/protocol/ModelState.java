package dev.kiln.link.protocol;

/** One model deployment as the agent reports it in a heartbeat. */
public record ModelState(String name, String version, String variant, String state) {}
