/** The durable queue of deploy, cancel and rollback requests, and the worker that runs them. */
package dev.kiln.cloud.service.inbox;
