package dev.kiln.fleet.state;

/**
 * What the console wants a device to run in one slot.
 *
 * @param version null means "nothing": the slot should be empty
 * @param deploymentId the deployment that set it, whose artifact and rows converge the device
 */
public record DesiredModel(String version, String artifactSha256, String deploymentId) {}
