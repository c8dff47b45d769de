/**
 * The cloud service, {@code kiln cloud run}: capture store and ingestor, fleet console, request
 * inbox and HTTP API in one process (docs/cloud-service.md).
 */
package dev.kiln.cloud.service;
