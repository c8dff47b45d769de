/** API tokens (stored hashed) and their roles: viewer, operator, admin. */
package dev.kiln.cloud.service.auth;
