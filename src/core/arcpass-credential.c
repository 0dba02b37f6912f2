/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "arcpass-credential.h"
#include "arcpass-error.h"
#include "arcpass-json.h"
#include "arcpass-secret.h"

struct _ArcpassCredential
{
  GObject parent_instance;

  ArcpassCredentialKind kind;
  ArcpassCredentialState state;
  char *id;
  char *portal_url;
  char *client_id;
  char *redirect_uri;
  char *username;
  char *access_token;      /* secret */
  gint64 access_expires;
  char *refresh_token;     /* secret */
  gint64 refresh_expires;
  char *client_secret;     /* secret */
  gboolean ssl;
  ArcpassAccountKind account_kind;
  char **privileges;
  char *full_name;
  char *org_id;
  char *org_name;
  char *role;
  char *avatar_url;
};

G_DEFINE_FINAL_TYPE (ArcpassCredential, arcpass_credential, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ArcpassCredentialKind, arcpass_credential_kind,
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_OAUTH_USER, "oauth-user"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_API_KEY, "api-key"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_APP_CREDENTIALS, "app-credentials"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_GENERATE_TOKEN, "generate-token"))

G_DEFINE_ENUM_TYPE (ArcpassAccountKind, arcpass_account_kind,
  G_DEFINE_ENUM_VALUE (ARCPASS_ACCOUNT_KIND_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (ARCPASS_ACCOUNT_KIND_ONLINE, "arcgis-online"),
  G_DEFINE_ENUM_VALUE (ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM, "location-platform"),
  G_DEFINE_ENUM_VALUE (ARCPASS_ACCOUNT_KIND_ENTERPRISE, "enterprise"))

G_DEFINE_ENUM_TYPE (ArcpassCredentialState, arcpass_credential_state,
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_STATE_VALID, "valid"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON, "expires-soon"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED, "sign-in-required"),
  G_DEFINE_ENUM_VALUE (ARCPASS_CREDENTIAL_STATE_OFFLINE, "offline"))

enum {
  PROP_0,
  PROP_KIND,
  PROP_ID,
  PROP_PORTAL_URL,
  PROP_CLIENT_ID,
  PROP_REDIRECT_URI,
  PROP_USERNAME,
  PROP_ACCESS_TOKEN,
  PROP_ACCESS_EXPIRES,
  PROP_REFRESH_TOKEN,
  PROP_REFRESH_EXPIRES,
  PROP_CLIENT_SECRET,
  PROP_SSL,
  PROP_ACCOUNT_KIND,
  PROP_PRIVILEGES,
  PROP_FULL_NAME,
  PROP_ORG_ID,
  PROP_ORG_NAME,
  PROP_ROLE,
  PROP_AVATAR_URL,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Replaces *@field, notifying only on a real change. Secrets are wiped
 * before their memory goes back to the allocator. */
static void
set_string (ArcpassCredential  *self,
            char              **field,
            const char         *value,
            guint               prop_id,
            gboolean            secret)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  if (secret)
    arcpass_secret_free (*field);
  else
    g_free (*field);
  *field = g_strdup (value);

  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int64 (ArcpassCredential *self,
           gint64            *field,
           gint64             value,
           guint              prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
arcpass_credential_finalize (GObject *object)
{
  ArcpassCredential *self = (ArcpassCredential *)object;

  g_free (self->id);
  g_free (self->portal_url);
  g_free (self->client_id);
  g_free (self->redirect_uri);
  g_free (self->username);
  arcpass_secret_free (self->access_token);
  arcpass_secret_free (self->refresh_token);
  arcpass_secret_free (self->client_secret);
  g_strfreev (self->privileges);
  g_free (self->full_name);
  g_free (self->org_id);
  g_free (self->org_name);
  g_free (self->role);
  g_free (self->avatar_url);

  G_OBJECT_CLASS (arcpass_credential_parent_class)->finalize (object);
}

static void
arcpass_credential_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ArcpassCredential *self = ARCPASS_CREDENTIAL (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PORTAL_URL:
      g_value_set_string (value, self->portal_url);
      break;
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    case PROP_REDIRECT_URI:
      g_value_set_string (value, self->redirect_uri);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ACCESS_TOKEN:
      g_value_set_string (value, self->access_token);
      break;
    case PROP_ACCESS_EXPIRES:
      g_value_set_int64 (value, self->access_expires);
      break;
    case PROP_REFRESH_TOKEN:
      g_value_set_string (value, self->refresh_token);
      break;
    case PROP_REFRESH_EXPIRES:
      g_value_set_int64 (value, self->refresh_expires);
      break;
    case PROP_CLIENT_SECRET:
      g_value_set_string (value, self->client_secret);
      break;
    case PROP_SSL:
      g_value_set_boolean (value, self->ssl);
      break;
    case PROP_ACCOUNT_KIND:
      g_value_set_enum (value, self->account_kind);
      break;
    case PROP_PRIVILEGES:
      g_value_set_boxed (value, self->privileges);
      break;
    case PROP_FULL_NAME:
      g_value_set_string (value, self->full_name);
      break;
    case PROP_ORG_ID:
      g_value_set_string (value, self->org_id);
      break;
    case PROP_ORG_NAME:
      g_value_set_string (value, self->org_name);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_AVATAR_URL:
      g_value_set_string (value, self->avatar_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arcpass_credential_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ArcpassCredential *self = ARCPASS_CREDENTIAL (object);

  switch (prop_id)
    {
    case PROP_KIND:
      arcpass_credential_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_ID:
      arcpass_credential_set_id (self, g_value_get_string (value));
      break;
    case PROP_PORTAL_URL:
      arcpass_credential_set_portal_url (self, g_value_get_string (value));
      break;
    case PROP_CLIENT_ID:
      arcpass_credential_set_client_id (self, g_value_get_string (value));
      break;
    case PROP_REDIRECT_URI:
      arcpass_credential_set_redirect_uri (self, g_value_get_string (value));
      break;
    case PROP_USERNAME:
      arcpass_credential_set_username (self, g_value_get_string (value));
      break;
    case PROP_ACCESS_TOKEN:
      arcpass_credential_set_access_token (self, g_value_get_string (value));
      break;
    case PROP_ACCESS_EXPIRES:
      arcpass_credential_set_access_expires (self, g_value_get_int64 (value));
      break;
    case PROP_REFRESH_TOKEN:
      arcpass_credential_set_refresh_token (self, g_value_get_string (value));
      break;
    case PROP_REFRESH_EXPIRES:
      arcpass_credential_set_refresh_expires (self, g_value_get_int64 (value));
      break;
    case PROP_CLIENT_SECRET:
      arcpass_credential_set_client_secret (self, g_value_get_string (value));
      break;
    case PROP_SSL:
      arcpass_credential_set_ssl (self, g_value_get_boolean (value));
      break;
    case PROP_ACCOUNT_KIND:
      arcpass_credential_set_account_kind (self, g_value_get_enum (value));
      break;
    case PROP_PRIVILEGES:
      arcpass_credential_set_privileges (self, g_value_get_boxed (value));
      break;
    case PROP_FULL_NAME:
      arcpass_credential_set_full_name (self, g_value_get_string (value));
      break;
    case PROP_ORG_ID:
      arcpass_credential_set_org_id (self, g_value_get_string (value));
      break;
    case PROP_ORG_NAME:
      arcpass_credential_set_org_name (self, g_value_get_string (value));
      break;
    case PROP_ROLE:
      arcpass_credential_set_role (self, g_value_get_string (value));
      break;
    case PROP_AVATAR_URL:
      arcpass_credential_set_avatar_url (self, g_value_get_string (value));
      break;
    case PROP_STATE:
      arcpass_credential_set_state (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_pspec (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
arcpass_credential_class_init (ArcpassCredentialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arcpass_credential_finalize;
  object_class->get_property = arcpass_credential_get_property;
  object_class->set_property = arcpass_credential_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       ARCPASS_TYPE_CREDENTIAL_KIND, ARCPASS_CREDENTIAL_OAUTH_USER,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] = string_pspec ("id");
  properties[PROP_PORTAL_URL] = string_pspec ("portal-url");
  properties[PROP_CLIENT_ID] = string_pspec ("client-id");
  properties[PROP_REDIRECT_URI] = string_pspec ("redirect-uri");
  properties[PROP_USERNAME] = string_pspec ("username");
  properties[PROP_ACCESS_TOKEN] = string_pspec ("access-token");
  properties[PROP_ACCESS_EXPIRES] = int64_pspec ("access-expires");
  properties[PROP_REFRESH_TOKEN] = string_pspec ("refresh-token");
  properties[PROP_REFRESH_EXPIRES] = int64_pspec ("refresh-expires");
  properties[PROP_CLIENT_SECRET] = string_pspec ("client-secret");
  properties[PROP_SSL] =
    g_param_spec_boolean ("ssl", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_KIND] =
    g_param_spec_enum ("account-kind", NULL, NULL,
                       ARCPASS_TYPE_ACCOUNT_KIND, ARCPASS_ACCOUNT_KIND_UNKNOWN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRIVILEGES] =
    g_param_spec_boxed ("privileges", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FULL_NAME] = string_pspec ("full-name");
  properties[PROP_ORG_ID] = string_pspec ("org-id");
  properties[PROP_ORG_NAME] = string_pspec ("org-name");
  properties[PROP_ROLE] = string_pspec ("role");
  properties[PROP_AVATAR_URL] = string_pspec ("avatar-url");
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       ARCPASS_TYPE_CREDENTIAL_STATE, ARCPASS_CREDENTIAL_STATE_VALID,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arcpass_credential_init (ArcpassCredential *self)
{
  self->id = g_uuid_string_random ();
  self->privileges = g_new0 (char *, 1);
}

ArcpassCredential *
arcpass_credential_new (ArcpassCredentialKind  kind,
                        const char            *portal_url)
{
  return g_object_new (ARCPASS_TYPE_CREDENTIAL,
                       "kind", kind,
                       "portal-url", portal_url,
                       NULL);
}

ArcpassCredentialKind
arcpass_credential_get_kind (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), 0);
  return self->kind;
}

void
arcpass_credential_set_kind (ArcpassCredential     *self,
                             ArcpassCredentialKind  kind)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  if (self->kind == kind)
    return;

  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

#define STRING_ACCESSORS(name, field, prop, secret)                          \
const char *                                                                 \
arcpass_credential_get_##name (ArcpassCredential *self)                      \
{                                                                            \
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), NULL);                 \
  return self->field;                                                        \
}                                                                            \
                                                                             \
void                                                                         \
arcpass_credential_set_##name (ArcpassCredential *self,                      \
                               const char        *value)                     \
{                                                                            \
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));                           \
  set_string (self, &self->field, value, prop, secret);                      \
}

STRING_ACCESSORS (id, id, PROP_ID, FALSE)
STRING_ACCESSORS (portal_url, portal_url, PROP_PORTAL_URL, FALSE)
STRING_ACCESSORS (client_id, client_id, PROP_CLIENT_ID, FALSE)
STRING_ACCESSORS (redirect_uri, redirect_uri, PROP_REDIRECT_URI, FALSE)
STRING_ACCESSORS (username, username, PROP_USERNAME, FALSE)
STRING_ACCESSORS (access_token, access_token, PROP_ACCESS_TOKEN, TRUE)
STRING_ACCESSORS (refresh_token, refresh_token, PROP_REFRESH_TOKEN, TRUE)
STRING_ACCESSORS (client_secret, client_secret, PROP_CLIENT_SECRET, TRUE)
STRING_ACCESSORS (full_name, full_name, PROP_FULL_NAME, FALSE)
STRING_ACCESSORS (org_id, org_id, PROP_ORG_ID, FALSE)
STRING_ACCESSORS (org_name, org_name, PROP_ORG_NAME, FALSE)
STRING_ACCESSORS (role, role, PROP_ROLE, FALSE)
STRING_ACCESSORS (avatar_url, avatar_url, PROP_AVATAR_URL, FALSE)

#undef STRING_ACCESSORS

gint64
arcpass_credential_get_access_expires (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), 0);
  return self->access_expires;
}

void
arcpass_credential_set_access_expires (ArcpassCredential *self,
                                       gint64             unix_seconds)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));
  set_int64 (self, &self->access_expires, MAX (unix_seconds, 0), PROP_ACCESS_EXPIRES);
}

gint64
arcpass_credential_get_refresh_expires (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), 0);
  return self->refresh_expires;
}

void
arcpass_credential_set_refresh_expires (ArcpassCredential *self,
                                        gint64             unix_seconds)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));
  set_int64 (self, &self->refresh_expires, MAX (unix_seconds, 0), PROP_REFRESH_EXPIRES);
}

gboolean
arcpass_credential_get_ssl (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), FALSE);
  return self->ssl;
}

void
arcpass_credential_set_ssl (ArcpassCredential *self,
                            gboolean           ssl)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  ssl = !!ssl;
  if (self->ssl == ssl)
    return;

  self->ssl = ssl;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SSL]);
}

const char *
arcpass_account_kind_get_label (ArcpassAccountKind kind)
{
  switch (kind)
    {
    case ARCPASS_ACCOUNT_KIND_ONLINE:
      return _("ArcGIS Online");
    case ARCPASS_ACCOUNT_KIND_LOCATION_PLATFORM:
      return _("ArcGIS Location Platform");
    case ARCPASS_ACCOUNT_KIND_ENTERPRISE:
      return _("ArcGIS Enterprise");
    case ARCPASS_ACCOUNT_KIND_UNKNOWN:
    default:
      return NULL;
    }
}

const char *
arcpass_account_kind_get_nick (ArcpassAccountKind kind)
{
  GEnumClass *enum_class = g_type_class_ref (ARCPASS_TYPE_ACCOUNT_KIND);
  GEnumValue *value = g_enum_get_value (enum_class, kind);
  const char *nick = value ? value->value_nick : "unknown";

  /* The class is static: its nicks outlive the reference. */
  g_type_class_unref (enum_class);
  return nick;
}

ArcpassAccountKind
arcpass_credential_get_account_kind (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), ARCPASS_ACCOUNT_KIND_UNKNOWN);
  return self->account_kind;
}

void
arcpass_credential_set_account_kind (ArcpassCredential  *self,
                                     ArcpassAccountKind  kind)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  if (self->account_kind == kind)
    return;

  self->account_kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_KIND]);
}

ArcpassAccountKind
arcpass_credential_get_effective_account_kind (ArcpassCredential *self)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), ARCPASS_ACCOUNT_KIND_UNKNOWN);

  if (self->account_kind != ARCPASS_ACCOUNT_KIND_UNKNOWN)
    return self->account_kind;

  /* Accounts saved before the kind was recorded: API keys and app
   * credentials of arcgis.com, and users of arcgis.com or of the sandbox,
   * are ArcGIS Online's (Location Platform is told apart only by
   * portals/self); anything else is somebody's Enterprise portal. */
  if (self->portal_url != NULL)
    uri = g_uri_parse (self->portal_url, G_URI_FLAGS_NONE, NULL);
  host = uri ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    return ARCPASS_ACCOUNT_KIND_ONLINE;
  if (g_ascii_strcasecmp (host, "arcgis.com") == 0 ||
      (strlen (host) > strlen (".arcgis.com") &&
       g_ascii_strcasecmp (host + strlen (host) - strlen (".arcgis.com"), ".arcgis.com") == 0))
    return ARCPASS_ACCOUNT_KIND_ONLINE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 && g_uri_get_path (uri) &&
      (*g_uri_get_path (uri) == '\0' || strcmp (g_uri_get_path (uri), "/") == 0))
    return ARCPASS_ACCOUNT_KIND_ONLINE;
  return ARCPASS_ACCOUNT_KIND_ENTERPRISE;
}

const char * const *
arcpass_credential_get_privileges (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), NULL);
  return (const char * const *) self->privileges;
}

void
arcpass_credential_set_privileges (ArcpassCredential  *self,
                                   const char * const *privileges)
{
  static const char * const empty[] = { NULL };

  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  if (privileges == NULL)
    privileges = empty;

  if (g_strv_equal ((const char * const *) self->privileges, privileges))
    return;

  g_strfreev (self->privileges);
  self->privileges = g_strdupv ((char **) privileges);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIVILEGES]);
}

gboolean
arcpass_credential_has_privilege (ArcpassCredential *self,
                                  const char        *privilege)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), FALSE);
  return g_strv_contains ((const char * const *) self->privileges, privilege);
}

ArcpassCredentialState
arcpass_credential_get_state (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), 0);
  return self->state;
}

void
arcpass_credential_set_state (ArcpassCredential      *self,
                              ArcpassCredentialState  state)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

char *
arcpass_credential_dup_display_name (ArcpassCredential *self)
{
  g_autoptr(GUri) uri = NULL;
  const char *host = NULL;

  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), NULL);

  if (self->portal_url != NULL)
    uri = g_uri_parse (self->portal_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL)
    host = g_uri_get_host (uri);
  if (host == NULL)
    host = "?";

  if (self->username != NULL && *self->username != '\0')
    return g_strdup_printf ("%s @ %s", self->username, host);

  if (self->kind == ARCPASS_CREDENTIAL_API_KEY)
    {
      g_autofree char *masked = arcpass_secret_mask (self->access_token);
      /* Translators: an account's title; the first %s is the end of the key
       * (••••abcd), the second a host name. */
      return g_strdup_printf (_("API key %s @ %s"), masked, host);
    }

  if (self->client_id != NULL)
    /* Translators: an account's title; the first %s is a client ID, the
     * second a host name. */
    return g_strdup_printf (_("App %s @ %s"), self->client_id, host);

  return g_strdup (host);
}

gboolean
arcpass_credential_access_valid_at (ArcpassCredential *self,
                                    gint64             now,
                                    gint64             margin)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), FALSE);

  if (self->access_token == NULL || *self->access_token == '\0')
    return FALSE;

  if (self->access_expires == 0)
    return TRUE;

  return self->access_expires - margin > now;
}

gboolean
arcpass_credential_can_refresh_at (ArcpassCredential *self,
                                   gint64             now)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), FALSE);

  switch (self->kind)
    {
    case ARCPASS_CREDENTIAL_OAUTH_USER:
      return self->refresh_token != NULL && *self->refresh_token != '\0' &&
             self->client_id != NULL &&
             (self->refresh_expires == 0 || self->refresh_expires > now);
    case ARCPASS_CREDENTIAL_APP_CREDENTIALS:
      return self->client_id != NULL && self->client_secret != NULL && *self->client_secret != '\0';
    case ARCPASS_CREDENTIAL_API_KEY:
    case ARCPASS_CREDENTIAL_GENERATE_TOKEN:
    default:
      return FALSE;
    }
}

void
arcpass_credential_update_state (ArcpassCredential *self,
                                 gint64             now)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));

  if (arcpass_credential_access_valid_at (self, now, ARCPASS_TOKEN_REFRESH_MARGIN))
    arcpass_credential_set_state (self, ARCPASS_CREDENTIAL_STATE_VALID);
  else if (arcpass_credential_access_valid_at (self, now, 0) ||
           arcpass_credential_can_refresh_at (self, now))
    {
      /* Renewable (or still usable for a few minutes): the manager will
       * refresh it on the next use; no user action needed. */
      if (self->state != ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED &&
          self->state != ARCPASS_CREDENTIAL_STATE_OFFLINE)
        arcpass_credential_set_state (self, ARCPASS_CREDENTIAL_STATE_EXPIRES_SOON);
    }
  else
    arcpass_credential_set_state (self, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

ArcpassRequestFlags
arcpass_credential_get_request_flags (ArcpassCredential *self)
{
  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), ARCPASS_REQUEST_NONE);

  return self->kind == ARCPASS_CREDENTIAL_GENERATE_TOKEN ? ARCPASS_REQUEST_SEND_REFERER
                                                         : ARCPASS_REQUEST_NONE;
}

char *
arcpass_credential_to_payload (ArcpassCredential *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GEnumClass *enum_class;

  g_return_val_if_fail (ARCPASS_IS_CREDENTIAL (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, ARCPASS_CREDENTIAL_PAYLOAD_VERSION);

  enum_class = g_type_class_ref (ARCPASS_TYPE_CREDENTIAL_KIND);
  add_string (builder, "kind", g_enum_get_value (enum_class, self->kind)->value_nick);
  g_type_class_unref (enum_class);

  add_string (builder, "id", self->id);
  add_string (builder, "portal_url", self->portal_url);
  add_string (builder, "client_id", self->client_id);
  add_string (builder, "redirect_uri", self->redirect_uri);
  add_string (builder, "username", self->username);
  add_string (builder, "access_token", self->access_token);
  json_builder_set_member_name (builder, "access_expires");
  json_builder_add_int_value (builder, self->access_expires);
  add_string (builder, "refresh_token", self->refresh_token);
  json_builder_set_member_name (builder, "refresh_expires");
  json_builder_add_int_value (builder, self->refresh_expires);
  add_string (builder, "client_secret", self->client_secret);
  json_builder_set_member_name (builder, "ssl");
  json_builder_add_boolean_value (builder, self->ssl);
  /* Optional member of format 1: payloads saved without it still load (the
   * kind is then guessed from the portal URL). */
  if (self->account_kind != ARCPASS_ACCOUNT_KIND_UNKNOWN)
    add_string (builder, "account_kind", arcpass_account_kind_get_nick (self->account_kind));
  json_builder_set_member_name (builder, "privileges");
  json_builder_begin_array (builder);
  for (guint i = 0; self->privileges[i] != NULL; i++)
    json_builder_add_string_value (builder, self->privileges[i]);
  json_builder_end_array (builder);
  add_string (builder, "full_name", self->full_name);
  add_string (builder, "org_id", self->org_id);
  add_string (builder, "org_name", self->org_name);
  add_string (builder, "role", self->role);
  add_string (builder, "avatar_url", self->avatar_url);
  /* Only SIGN_IN_REQUIRED is worth keeping across restarts: the others are
   * recomputed from the expiry times. */
  json_builder_set_member_name (builder, "sign_in_required");
  json_builder_add_boolean_value (builder, self->state == ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  /* Known limit: json-glib frees its intermediate copies (nodes, the
   * generator's buffer) without clearing them; the returned string is
   * cleared by the caller with arcpass_secret_free(). */
  return json_generator_to_data (generator, NULL);
}

/* Fills @self from a parsed payload; the error names a member, never a value. */
static gboolean
read_payload (ArcpassCredential  *self,
              JsonObject         *object,
              GError            **error)
{
  g_auto(GStrv) privileges = NULL;
  const char *s;
  gint64 n = 0;
  gboolean b = FALSE;

  s = arcpass_json_object_get_string (object, "id", error);
  if (s == NULL)
    return FALSE;
  arcpass_credential_set_id (self, s);

#define READ_STRING(member, setter)                                                \
  G_STMT_START {                                                                   \
    if (!arcpass_json_object_get_optional_string (object, member, &s, error))     \
      return FALSE;                                                                \
    if (s != NULL)                                                                 \
      setter (self, s);                                                            \
  } G_STMT_END

  READ_STRING ("portal_url", arcpass_credential_set_portal_url);
  READ_STRING ("client_id", arcpass_credential_set_client_id);
  READ_STRING ("redirect_uri", arcpass_credential_set_redirect_uri);
  READ_STRING ("username", arcpass_credential_set_username);
  READ_STRING ("access_token", arcpass_credential_set_access_token);
  READ_STRING ("refresh_token", arcpass_credential_set_refresh_token);
  READ_STRING ("client_secret", arcpass_credential_set_client_secret);
  READ_STRING ("full_name", arcpass_credential_set_full_name);
  READ_STRING ("org_id", arcpass_credential_set_org_id);
  READ_STRING ("org_name", arcpass_credential_set_org_name);
  READ_STRING ("role", arcpass_credential_set_role);
  READ_STRING ("avatar_url", arcpass_credential_set_avatar_url);

#undef READ_STRING

  if (!arcpass_json_object_get_optional_int (object, "access_expires", &n, error))
    return FALSE;
  arcpass_credential_set_access_expires (self, n);
  n = 0;
  if (!arcpass_json_object_get_optional_int (object, "refresh_expires", &n, error))
    return FALSE;
  arcpass_credential_set_refresh_expires (self, n);
  if (!arcpass_json_object_get_optional_boolean (object, "ssl", &b, error))
    return FALSE;
  arcpass_credential_set_ssl (self, b);

  s = NULL;
  if (!arcpass_json_object_get_optional_string (object, "account_kind", &s, error))
    return FALSE;
  if (s != NULL)
    {
      GEnumClass *enum_class = g_type_class_ref (ARCPASS_TYPE_ACCOUNT_KIND);
      GEnumValue *value = g_enum_get_value_by_nick (enum_class, s);

      /* A kind this version does not know (a newer Arcpass) is not a reason
       * to lose the account: it is guessed again. */
      if (value != NULL)
        arcpass_credential_set_account_kind (self, value->value);
      g_type_class_unref (enum_class);
    }

  if (json_object_has_member (object, "privileges"))
    {
      privileges = arcpass_json_object_dup_strv (object, "privileges", error);
      if (privileges == NULL)
        return FALSE;
      arcpass_credential_set_privileges (self, (const char * const *) privileges);
    }

  b = FALSE;
  if (!arcpass_json_object_get_optional_boolean (object, "sign_in_required", &b, error))
    return FALSE;
  if (b)
    arcpass_credential_set_state (self, ARCPASS_CREDENTIAL_STATE_SIGN_IN_REQUIRED);

  return TRUE;
}

static ArcpassCredential *
parse_payload (const char  *payload,
               GError     **error)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(ArcpassCredential) self = NULL;
  const char *kind_nick;
  gint64 version;
  GEnumClass *enum_class;
  GEnumValue *kind_value;

  object = arcpass_json_parse_object (payload, -1, error);
  if (object == NULL)
    return NULL;

  if (!arcpass_json_object_get_int (object, "version", &version, error))
    return NULL;

  if (version != ARCPASS_CREDENTIAL_PAYLOAD_VERSION)
    {
      g_autofree char *format = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      /* Translators: put inside “A saved account could not be read (%s); sign
       * in again.”; %s is a number. */
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                   _("saved by another version of Arcpass, format %s"), format);
      return NULL;
    }

  kind_nick = arcpass_json_object_get_string (object, "kind", error);
  if (kind_nick == NULL)
    return NULL;

  enum_class = g_type_class_ref (ARCPASS_TYPE_CREDENTIAL_KIND);
  kind_value = g_enum_get_value_by_nick (enum_class, kind_nick);
  g_type_class_unref (enum_class);
  if (kind_value == NULL)
    {
      /* Translators: put inside “A saved account could not be read (%s); sign
       * in again.”; %s is a kind of account as saved, such as api-key. */
      g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                   _("unknown kind “%s”"), kind_nick);
      return NULL;
    }

  self = g_object_new (ARCPASS_TYPE_CREDENTIAL, "kind", kind_value->value, NULL);
  if (!read_payload (self, object, error))
    return NULL;

  return g_steal_pointer (&self);
}

ArcpassCredential *
arcpass_credential_new_from_payload (const char  *payload,
                                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  ArcpassCredential *self;

  self = parse_payload (payload, &local_error);
  if (self == NULL)
    g_set_error (error, ARCPASS_ERROR, ARCPASS_ERROR_MALFORMED_RESPONSE,
                 _("A saved account could not be read (%s); sign in again."), local_error->message);

  return self;
}

void
arcpass_credential_update_from (ArcpassCredential *self,
                                ArcpassCredential *source)
{
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (self));
  g_return_if_fail (ARCPASS_IS_CREDENTIAL (source));

  g_object_freeze_notify (G_OBJECT (self));
  arcpass_credential_set_kind (self, source->kind);
  arcpass_credential_set_id (self, source->id);
  arcpass_credential_set_portal_url (self, source->portal_url);
  arcpass_credential_set_client_id (self, source->client_id);
  arcpass_credential_set_redirect_uri (self, source->redirect_uri);
  arcpass_credential_set_username (self, source->username);
  arcpass_credential_set_access_token (self, source->access_token);
  arcpass_credential_set_access_expires (self, source->access_expires);
  arcpass_credential_set_refresh_token (self, source->refresh_token);
  arcpass_credential_set_refresh_expires (self, source->refresh_expires);
  arcpass_credential_set_client_secret (self, source->client_secret);
  arcpass_credential_set_ssl (self, source->ssl);
  arcpass_credential_set_account_kind (self, source->account_kind);
  arcpass_credential_set_privileges (self, (const char * const *) source->privileges);
  arcpass_credential_set_full_name (self, source->full_name);
  arcpass_credential_set_org_id (self, source->org_id);
  arcpass_credential_set_org_name (self, source->org_name);
  arcpass_credential_set_role (self, source->role);
  arcpass_credential_set_avatar_url (self, source->avatar_url);
  arcpass_credential_set_state (self, source->state);
  g_object_thaw_notify (G_OBJECT (self));
}
