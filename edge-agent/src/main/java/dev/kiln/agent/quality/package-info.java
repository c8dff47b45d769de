/**
 * Field quality on the device: each served request is remembered for a while with the class or
 * value it answered, so a label or value posted to {@code POST /feedback} scores the version that
 * served it. The totals per version go out in heartbeats, where the fleet console's accuracy gate
 * reads them (docs/monitoring.md, "Rollout gates").
 */
package dev.kiln.agent.quality;
