/**
 * The device side of a rollout, written once for the agent and the fleet simulator: {@link
 * dev.kiln.link.deploy.DeployCore} over a {@link dev.kiln.link.deploy.DeployTarget} and an {@link
 * dev.kiln.link.deploy.ArtifactSource}.
 */
package dev.kiln.link.deploy;
