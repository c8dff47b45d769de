/** The HTTP API on Jetty core: routes, token checks, JSON errors, the OpenAPI document. */
package dev.kiln.cloud.service.api;
