"""The partner API's domain: partner apps and their keys, client-credential tokens from signed assertions,
program notifications and their status, signed callbacks, and case changes posted by agency systems."""
