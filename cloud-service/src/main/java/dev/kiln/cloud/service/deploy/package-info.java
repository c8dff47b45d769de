/** Deployments as the service sees them: queued requests, the console's runs, artifacts seen. */
package dev.kiln.cloud.service.deploy;
