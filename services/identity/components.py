"""The identity collaborators a process builds once (``context.component(name)``): keys, ciphers, providers."""

from __future__ import annotations

from services.components import component
from services.identity.field_crypto import FieldCipher, LookupHasher
from services.identity.id_tokens import IdentityProvider
from services.identity.person_index import PersonIndex
from services.identity.signing_keys import SigningKeys, load_signing_keys


@component("field_cipher")
def build_field_cipher(context) -> FieldCipher:
    return FieldCipher(context.settings.field_encryption_keys)


@component("lookup_hasher")
def build_lookup_hasher(context) -> LookupHasher:
    return LookupHasher(context.settings.lookup_hash_key)


@component("signing_keys")
def build_signing_keys(context) -> SigningKeys:
    settings = context.settings
    return load_signing_keys(settings.signing_keys_path, generate_if_missing=not settings.is_production)


@component("resident_idp")
def build_resident_idp(context) -> IdentityProvider:
    return IdentityProvider(context.settings.oidc_issuer, jwks_cache_seconds=context.settings.jwks_cache_seconds)


@component("staff_idp")
def build_staff_idp(context) -> IdentityProvider:
    return IdentityProvider(context.settings.staff_oidc_issuer, jwks_cache_seconds=context.settings.jwks_cache_seconds)


@component("person_index")
def build_person_index(context) -> PersonIndex:
    settings = context.settings
    return PersonIndex(
        settings.platform_url, settings.platform_key, timeout=min(settings.platform_timeout_seconds, 3.0)
    )
