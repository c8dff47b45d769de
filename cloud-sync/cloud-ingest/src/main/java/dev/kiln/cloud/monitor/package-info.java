/**
 * Model monitoring in the cloud: baselines built from captured traffic, and drift checks that
 * compare windows of captures with a baseline, store violations and publish alerts
 * (docs/monitoring.md).
 */
package dev.kiln.cloud.monitor;
