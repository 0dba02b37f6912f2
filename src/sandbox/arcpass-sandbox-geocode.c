/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arcpass-sandbox-private.h"

/* The World GeocodeServer over the sandbox gazetteer (arcgis-protocol.md §6).
 * Classic service: errors are HTTP 200 with the envelope in the body. */

#define EARTH_RADIUS     6378137.0
#define MIN_SCORE        60.0
#define MAX_LOCATIONS    50
#define MAX_SUGGESTIONS  15

typedef struct
{
  char **name_tokens;
  char **context_tokens;
} PlaceTokens;

typedef struct
{
  const SbPlace *place;
  double         score;
  double         distance;
} Match;

/* --------------------------------------------------------- text matching */

static const char *
canonical_word (const char *word)
{
  static const char * const pairs[] = {
    "street", "st", "avenue", "ave", "road", "rd", "drive", "dr", "boulevard", "blvd",
    "parkway", "pkwy", "northwest", "nw", "northeast", "ne", "southwest", "sw",
    "southeast", "se", "saint", "st", "mount", "mt", "fifth", "5th", NULL
  };

  for (guint i = 0; pairs[i]; i += 2)
    if (strcmp (word, pairs[i]) == 0)
      return pairs[i + 1];
  return word;
}

/* Lower-case ASCII words, accents folded ("Brasília" matches "brasilia"),
 * common street words abbreviated as the World geocoder writes them. */
static char **
tokenize (const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text ? text : "", "C");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) words = NULL;

  for (char *p = ascii; *p; p++)
    *p = g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : ' ';
  words = g_strsplit (ascii, " ", -1);
  for (guint i = 0; words[i]; i++)
    if (*words[i])
      g_strv_builder_add (builder, canonical_word (words[i]));
  return g_strv_builder_end (builder);
}

static const PlaceTokens *
place_tokens (void)
{
  static PlaceTokens *tokens;

  if (g_once_init_enter (&tokens))
    {
      const GPtrArray *places = sb_gazetteer_get ();
      PlaceTokens *t = g_new0 (PlaceTokens, places->len);

      for (guint i = 0; i < places->len; i++)
        {
          const SbPlace *place = g_ptr_array_index (places, i);
          g_autofree char *context = g_strjoin (" ", place->city, place->region, place->country,
                                                place->postal, place->aliases, NULL);

          t[i].name_tokens = tokenize (place->name);
          t[i].context_tokens = tokenize (context);
        }
      g_once_init_leave (&tokens, t);
    }
  return tokens;
}

static gboolean
word_matches (const char *query_word,
              const char *place_word,
              gboolean    prefix)
{
  if (strcmp (query_word, place_word) == 0)
    return TRUE;
  return prefix && strlen (query_word) >= 2 && g_str_has_prefix (place_word, query_word);
}

/* Score 0–100: how much of the query the place explains (60 %) and how much
 * of the place's own name the query names (40 %). A query must name the
 * place itself, not only its city or country. When @prefix_last is set the
 * last query word may be unfinished (suggest-as-you-type). Returns the share
 * of query words matched in @coverage. */
static double
score_place (const PlaceTokens *pt,
             char             **query,
             gboolean           prefix_last,
             double            *coverage)
{
  guint n_query = g_strv_length (query);
  guint n_name = g_strv_length (pt->name_tokens);
  g_autofree gboolean *name_hit = g_new0 (gboolean, n_name + 1);
  guint matched = 0, names = 0;
  double q_cov, n_cov;

  *coverage = 0;
  if (n_query == 0 || n_name == 0)
    return 0;

  for (guint i = 0; i < n_query; i++)
    {
      gboolean prefix = prefix_last && i == n_query - 1;
      gboolean hit = FALSE;

      for (guint j = 0; j < n_name; j++)
        if (word_matches (query[i], pt->name_tokens[j], prefix))
          hit = name_hit[j] = TRUE;
      for (guint j = 0; !hit && pt->context_tokens[j]; j++)
        if (word_matches (query[i], pt->context_tokens[j], prefix))
          hit = TRUE;
      if (hit)
        matched++;
    }

  for (guint j = 0; j < n_name; j++)
    names += name_hit[j] ? 1 : 0;

  q_cov = (double) matched / n_query;
  n_cov = (double) names / n_name;
  *coverage = q_cov;
  if (names == 0)
    return 0;
  return round ((60.0 * q_cov + 40.0 * n_cov) * 100.0) / 100.0;
}

static double
haversine (double lon1,
           double lat1,
           double lon2,
           double lat2)
{
  double p1 = lat1 * G_PI / 180, p2 = lat2 * G_PI / 180;
  double dp = p2 - p1, dl = (lon2 - lon1) * G_PI / 180;
  double a = sin (dp / 2) * sin (dp / 2) + cos (p1) * cos (p2) * sin (dl / 2) * sin (dl / 2);

  return 2 * EARTH_RADIUS * atan2 (sqrt (a), sqrt (1 - a));
}

static int
match_compare (gconstpointer a,
               gconstpointer b)
{
  const Match *ma = a, *mb = b;

  if (ma->score != mb->score)
    return ma->score > mb->score ? -1 : 1;
  if (ma->distance != mb->distance)
    return ma->distance < mb->distance ? -1 : 1;
  /* Cities first, capitals before other cities, then file order. */
  if (ma->place->type != mb->place->type)
    return ma->place->type < mb->place->type ? -1 : 1;
  if (ma->place->capital != mb->place->capital)
    return ma->place->capital ? -1 : 1;
  return (int) ma->place->id - (int) mb->place->id;
}

/* ------------------------------------------------- spatial references */

static gboolean
is_web_mercator (int wkid)
{
  return wkid == 102100 || wkid == 3857 || wkid == 102113 || wkid == 900913;
}

static int
parse_wkid (const char *text)
{
  const char *p;

  if (!text || !*text)
    return 4326;
  for (p = text; *p && !g_ascii_isdigit (*p); p++)
    ;
  return *p ? atoi (p) : 4326;
}

static void
to_mercator (double  lon,
             double  lat,
             double *x,
             double *y)
{
  *x = lon * G_PI / 180 * EARTH_RADIUS;
  *y = log (tan (G_PI / 4 + CLAMP (lat, -85.0511, 85.0511) * G_PI / 360)) * EARTH_RADIUS;
}

static void
from_mercator (double  x,
               double  y,
               double *lon,
               double *lat)
{
  *lon = x / EARTH_RADIUS * 180 / G_PI;
  *lat = (2 * atan (exp (y / EARTH_RADIUS)) - G_PI / 2) * 180 / G_PI;
}

/* "x,y" or point JSON, in WGS84 or Web Mercator. */
static gboolean
parse_location (const char *text,
                double     *lon,
                double     *lat)
{
  int wkid = 4326;

  if (!text || !*text)
    return FALSE;

  if (text[0] == '{')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *obj;

      if (!json_parser_load_from_data (parser, text, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        return FALSE;
      obj = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (obj, "x") || !json_object_has_member (obj, "y"))
        return FALSE;
      *lon = json_object_get_double_member (obj, "x");
      *lat = json_object_get_double_member (obj, "y");
      if (json_object_has_member (obj, "spatialReference"))
        {
          JsonObject *sr = json_object_get_object_member (obj, "spatialReference");

          if (sr && json_object_has_member (sr, "wkid"))
            wkid = (int) json_object_get_int_member (sr, "wkid");
        }
    }
  else
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", 3);
      char *end1, *end2;

      if (g_strv_length (parts) != 2)
        return FALSE;
      *lon = g_ascii_strtod (g_strstrip (parts[0]), &end1);
      *lat = g_ascii_strtod (g_strstrip (parts[1]), &end2);
      if (*end1 || *end2 || end1 == parts[0] || end2 == parts[1])
        return FALSE;
    }

  if (is_web_mercator (wkid))
    from_mercator (*lon, *lat, lon, lat);
  return isfinite (*lon) && isfinite (*lat) && fabs (*lat) <= 90 && fabs (*lon) <= 180;
}

/* ------------------------------------------------------------ magicKey */

static char *
magic_key_for (const SbPlace *place)
{
  g_autofree char *raw = g_strdup_printf ("tp=0#loc=%u#lng=33#pl=%u#lbs=14:%u",
                                          place->id * 7919 + 104729, place->id,
                                          place->id * 31 + 7);

  return g_base64_encode ((const guchar *) raw, strlen (raw));
}

static const SbPlace *
place_for_magic_key (const char *key)
{
  const GPtrArray *places = sb_gazetteer_get ();
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  const char *pl;
  gsize len;
  guint64 id;

  if (!key || !*key)
    return NULL;
  raw = g_base64_decode (key, &len);
  if (!raw || len == 0 || len > 200)
    return NULL;
  text = g_strndup ((const char *) raw, len);
  if (!(pl = strstr (text, "#pl=")))
    return NULL;
  id = g_ascii_strtoull (pl + 4, NULL, 10);
  if (id == 0 || id > places->len)
    return NULL;
  /* Only keys this sandbox handed out are accepted. */
  expected = magic_key_for (g_ptr_array_index (places, id - 1));
  if (strcmp (expected, key) != 0)
    return NULL;
  return g_ptr_array_index (places, id - 1);
}

/* ------------------------------------------------------------ responses */

static const char *
place_kind (const SbPlace *place)
{
  switch (place->type)
    {
    case SB_PLACE_ADDRESS:
      return "";
    case SB_PLACE_POI:
      return "Landmark";
    case SB_PLACE_LOCALITY:
    default:
      return place->capital ? "National Capital" : "City";
    }
}

static double
extent_half_size (const SbPlace *place)
{
  switch (place->type)
    {
    case SB_PLACE_ADDRESS:
      return 0.001;
    case SB_PLACE_POI:
      return 0.005;
    case SB_PLACE_LOCALITY:
    default:
      return 0.05;
    }
}

static gboolean
field_wanted (GHashTable *fields,
              const char *name)
{
  g_autofree char *lower = NULL;

  if (!fields)
    return FALSE;
  if (g_hash_table_contains (fields, "*"))
    return TRUE;
  lower = g_ascii_strdown (name, -1);
  return g_hash_table_contains (fields, lower);
}

static GHashTable *
parse_out_fields (const char *text)
{
  g_auto(GStrv) names = NULL;
  GHashTable *set;

  if (!text || !*text)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  names = g_strsplit (text, ",", -1);
  for (guint i = 0; names[i]; i++)
    g_hash_table_add (set, g_ascii_strdown (g_strstrip (names[i]), -1));
  return set;
}

#define ATTR_STR(name, value) \
  G_STMT_START { if (field_wanted (fields, name)) { \
    json_builder_set_member_name (b, name); json_builder_add_string_value (b, value); } } G_STMT_END
#define ATTR_NUM(name, value) \
  G_STMT_START { if (field_wanted (fields, name)) { \
    json_builder_set_member_name (b, name); json_builder_add_double_value (b, value); } } G_STMT_END

static void
add_xy (JsonBuilder *b,
        double       x,
        double       y)
{
  json_builder_set_member_name (b, "x");
  json_builder_add_double_value (b, x);
  json_builder_set_member_name (b, "y");
  json_builder_add_double_value (b, y);
}

static void
add_spatial_reference (JsonBuilder *b,
                       gboolean     mercator)
{
  json_builder_set_member_name (b, "spatialReference");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wkid");
  json_builder_add_int_value (b, mercator ? 102100 : 4326);
  json_builder_set_member_name (b, "latestWkid");
  json_builder_add_int_value (b, mercator ? 3857 : 4326);
  json_builder_end_object (b);
}

static void
add_candidate (JsonBuilder   *b,
               const Match   *match,
               GHashTable    *fields,
               gboolean       mercator,
               gboolean       with_distance)
{
  const SbPlace *place = match->place;
  double half = extent_half_size (place);
  double x = place->lon, y = place->lat;
  double xmin = place->lon - half, xmax = place->lon + half;
  double ymin = place->lat - half, ymax = place->lat + half;

  if (mercator)
    {
      to_mercator (place->lon, place->lat, &x, &y);
      to_mercator (place->lon - half, place->lat - half, &xmin, &ymin);
      to_mercator (place->lon + half, place->lat + half, &xmax, &ymax);
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, place->label);
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  add_xy (b, x, y);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, match->score);

  json_builder_set_member_name (b, "attributes");
  json_builder_begin_object (b);
  ATTR_STR ("Loc_name", "World");
  ATTR_STR ("Status", "M");
  ATTR_NUM ("Score", match->score);
  ATTR_STR ("Match_addr", place->label);
  ATTR_STR ("LongLabel", place->label);
  ATTR_STR ("ShortLabel", place->name);
  ATTR_STR ("Addr_type", sb_place_type_to_string (place->type));
  ATTR_STR ("Type", place_kind (place));
  ATTR_STR ("PlaceName", place->type == SB_PLACE_ADDRESS ? "" : place->name);
  ATTR_STR ("Place_addr", place->label);
  ATTR_STR ("AddNum", place->addnum ? place->addnum : "");
  ATTR_STR ("StName", place->street ? place->street : "");
  ATTR_STR ("City", place->city);
  ATTR_STR ("Region", place->region);
  ATTR_STR ("Postal", place->postal);
  ATTR_STR ("Country", place->country);
  ATTR_STR ("CntryName", place->country);
  ATTR_STR ("LangCode", "ENG");
  ATTR_NUM ("Distance", with_distance ? match->distance : 0);
  ATTR_NUM ("X", place->lon);
  ATTR_NUM ("Y", place->lat);
  ATTR_NUM ("DisplayX", place->lon);
  ATTR_NUM ("DisplayY", place->lat);
  ATTR_NUM ("Xmin", place->lon - half);
  ATTR_NUM ("Xmax", place->lon + half);
  ATTR_NUM ("Ymin", place->lat - half);
  ATTR_NUM ("Ymax", place->lat + half);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "extent");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "xmin");
  json_builder_add_double_value (b, xmin);
  json_builder_set_member_name (b, "ymin");
  json_builder_add_double_value (b, ymin);
  json_builder_set_member_name (b, "xmax");
  json_builder_add_double_value (b, xmax);
  json_builder_set_member_name (b, "ymax");
  json_builder_add_double_value (b, ymax);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
respond_geocode_error (SbRequest          *req,
                       int                 code,
                       const char         *message,
                       const char * const *details)
{
  sb_respond_error (req, SOUP_STATUS_OK, sb_request_get_format (req, SB_FORMAT_HTML),
                    code, message, details);
}

/* Token and privilege checks of the geocoding service; responds and returns
 * FALSE when the request may not go on. */
static gboolean
check_access (SbRequest *req,
              gboolean   storing)
{
  SbIdentity identity;

  switch (sb_sandbox_authenticate (req->sandbox, req, &identity))
    {
    case SB_AUTH_MISSING:
      respond_geocode_error (req, 499, "Token Required", NULL);
      return FALSE;
    case SB_AUTH_INVALID:
      respond_geocode_error (req, 498, "Invalid Token", NULL);
      return FALSE;
    case SB_AUTH_OK:
    default:
      break;
    }

  if (!sb_strv_contains (identity.privileges, "premium:user:geocode") &&
      !sb_strv_contains (identity.privileges, "premium:user:geocode:temporary") &&
      !sb_strv_contains (identity.privileges, "premium:user:geocode:stored"))
    {
      const char * const details[] = { "Missing privilege premium:user:geocode:temporary", NULL };

      respond_geocode_error (req, 403,
                             "User does not have permissions to access 'world.geocodeserver'.",
                             details);
      return FALSE;
    }

  if (storing && !sb_strv_contains (identity.privileges, "premium:user:geocode:stored"))
    {
      const char * const details[] = { "Missing privilege premium:user:geocode:stored", NULL };

      respond_geocode_error (req, 403,
                             "User does not have permissions to store geocoding results.",
                             details);
      return FALSE;
    }
  return TRUE;
}

static gboolean
param_is_true (SbRequest  *req,
               const char *name)
{
  const char *value = sb_request_get_param (req, name);

  return value && (g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0);
}

static guint
param_uint (SbRequest  *req,
            const char *name,
            guint       fallback,
            guint       maximum)
{
  const char *value = sb_request_get_param (req, name);
  guint64 n;

  if (!value || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &n, NULL))
    return fallback;
  return (guint) MIN (n, maximum);
}

static gboolean
country_filter_passes (SbRequest     *req,
                       const SbPlace *place)
{
  const char *country = sb_request_get_param (req, "sourcecountry");

  if (!country || !*country)
    country = sb_request_get_param (req, "countrycode");
  if (!country || !*country)
    return TRUE;
  return strstr (country, place->country) != NULL;
}

static GArray *
find_matches (SbRequest  *req,
              const char *text,
              gboolean    suggest)
{
  const GPtrArray *places = sb_gazetteer_get ();
  const PlaceTokens *tokens = place_tokens ();
  g_auto(GStrv) query = tokenize (text);
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (Match));
  double bias_lon = 0, bias_lat = 0;
  gboolean biased = parse_location (sb_request_get_param (req, "location"), &bias_lon, &bias_lat);

  for (guint i = 0; i < places->len; i++)
    {
      const SbPlace *place = g_ptr_array_index (places, i);
      double coverage;
      Match m = { place, score_place (&tokens[i], query, suggest, &coverage), 0 };

      if (suggest ? coverage < 1.0 || m.score <= 0 : m.score < MIN_SCORE)
        continue;
      if (!country_filter_passes (req, place))
        continue;
      if (biased)
        m.distance = round (haversine (bias_lon, bias_lat, place->lon, place->lat) * 100) / 100;
      g_array_append_val (matches, m);
    }
  g_array_sort (matches, match_compare);
  return matches;
}

static void
handle_find (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  const char *single = sb_request_get_param (req, "singleline");
  const SbPlace *magic = place_for_magic_key (sb_request_get_param (req, "magickey"));
  g_autoptr(GHashTable) fields = parse_out_fields (sb_request_get_param (req, "outfields"));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) matches = NULL;
  g_autofree char *text = NULL;
  guint max = param_uint (req, "maxlocations", MAX_LOCATIONS, MAX_LOCATIONS);
  gboolean mercator = is_web_mercator (parse_wkid (sb_request_get_param (req, "outsr")));
  double bias_lon, bias_lat;
  gboolean biased = parse_location (sb_request_get_param (req, "location"), &bias_lon, &bias_lat);

  if (!check_access (req, param_is_true (req, "forstorage")))
    return;

  if (single && *single)
    text = g_strdup (single);
  else
    {
      static const char * const parts[] = {
        "address", "address2", "address3", "neighborhood", "city", "subregion", "region",
        "postal", NULL
      };
      GString *s = g_string_new (NULL);

      for (guint i = 0; parts[i]; i++)
        {
          const char *value = sb_request_get_param (req, parts[i]);

          if (value && *value)
            g_string_append_printf (s, "%s%s", s->len ? ", " : "", value);
        }
      text = g_string_free (s, FALSE);
    }

  if (!magic && !*text)
    {
      const char * const details[] = { "SingleLine, an address field or magicKey is required.",
                                       NULL };

      respond_geocode_error (req, 400, "Unable to complete operation.", details);
      return;
    }

  if (magic)
    {
      /* A suggestion the user picked is an exact match by definition. */
      Match m = { magic, 100, 0 };

      matches = g_array_new (FALSE, FALSE, sizeof (Match));
      if (biased)
        m.distance = round (haversine (bias_lon, bias_lat, magic->lon, magic->lat) * 100) / 100;
      g_array_append_val (matches, m);
    }
  else
    matches = find_matches (req, text, FALSE);

  json_builder_begin_object (b);
  add_spatial_reference (b, mercator);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len && i < max; i++)
    add_candidate (b, &g_array_index (matches, Match, i), fields, mercator, biased);
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

static void
handle_suggest (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  const char *text = sb_request_get_param (req, "text");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) matches = NULL;
  guint max = param_uint (req, "maxsuggestions", 5, MAX_SUGGESTIONS);

  if (!check_access (req, FALSE))
    return;

  if (!text || !*text)
    {
      const char * const details[] = { "'text' parameter is required.", NULL };

      respond_geocode_error (req, 400, "Unable to complete operation.", details);
      return;
    }

  matches = find_matches (req, text, TRUE);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "suggestions");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len && i < max; i++)
    {
      const SbPlace *place = g_array_index (matches, Match, i).place;
      g_autofree char *key = magic_key_for (place);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, place->label);
      json_builder_set_member_name (b, "magicKey");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "isCollection");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

/* How far from its point a place still answers a reverse geocode: a city
 * covers its surroundings, a landmark or an address only itself. */
static double
place_reach (const SbPlace *place)
{
  switch (place->type)
    {
    case SB_PLACE_LOCALITY:
      return place->capital ? 15000 : 10000;
    case SB_PLACE_POI:
    case SB_PLACE_ADDRESS:
    default:
      return 0;
    }
}

static void
handle_reverse (SbRequest *req)
{
  SbFormat format = sb_request_get_format (req, SB_FORMAT_HTML);
  const GPtrArray *places = sb_gazetteer_get ();
  const char *distance_text = sb_request_get_param (req, "distance");
  const char *feature_types = sb_request_get_param (req, "featuretypes");
  gboolean mercator = is_web_mercator (parse_wkid (sb_request_get_param (req, "outsr")));
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  const SbPlace *best = NULL;
  double best_d = G_MAXDOUBLE;
  double lon, lat, distance = 100, x, y;

  if (!check_access (req, param_is_true (req, "forstorage")))
    return;

  if (!parse_location (sb_request_get_param (req, "location"), &lon, &lat))
    {
      const char * const details[] = { "Location is invalid or missing.", NULL };

      respond_geocode_error (req, 400, "Cannot perform query. Invalid query parameters.", details);
      return;
    }
  if (distance_text && *distance_text)
    distance = CLAMP (g_ascii_strtod (distance_text, NULL), 0, 50000);

  for (guint i = 0; i < places->len; i++)
    {
      const SbPlace *place = g_ptr_array_index (places, i);
      double d = haversine (lon, lat, place->lon, place->lat);

      if (feature_types && *feature_types &&
          !strstr (feature_types, sb_place_type_to_string (place->type)))
        continue;
      /* Points beat areas: a landmark within reach wins over its city. */
      if (place->type != SB_PLACE_LOCALITY)
        d = d > distance ? G_MAXDOUBLE : d * 0.001;
      else if (d > MAX (distance, place_reach (place)))
        d = G_MAXDOUBLE;
      if (d < best_d)
        {
          best = place;
          best_d = d;
        }
    }

  if (!best)
    {
      const char * const details[] = { "Unable to find address for the specified location.",
                                       NULL };

      respond_geocode_error (req, 400, "Cannot perform query. Invalid query parameters.", details);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_begin_object (b);
#define ADDR(name, value) \
  G_STMT_START { json_builder_set_member_name (b, name); \
                 json_builder_add_string_value (b, value); } G_STMT_END
  ADDR ("Match_addr", best->type == SB_PLACE_ADDRESS ? best->label : best->name);
  ADDR ("LongLabel", best->label);
  ADDR ("ShortLabel", best->name);
  ADDR ("Addr_type", sb_place_type_to_string (best->type));
  ADDR ("Type", place_kind (best));
  ADDR ("PlaceName", best->type == SB_PLACE_ADDRESS ? "" : best->name);
  ADDR ("AddNum", best->addnum ? best->addnum : "");
  ADDR ("Address", best->type == SB_PLACE_ADDRESS ? best->name : "");
  ADDR ("Block", "");
  ADDR ("Sector", "");
  ADDR ("Neighborhood", "");
  ADDR ("District", "");
  ADDR ("City", best->city);
  ADDR ("MetroArea", "");
  ADDR ("Subregion", "");
  ADDR ("Region", best->region);
  ADDR ("Territory", "");
  ADDR ("Postal", best->postal);
  ADDR ("PostalExt", "");
  ADDR ("CountryCode", best->country);
#undef ADDR
  json_builder_end_object (b);
  json_builder_set_member_name (b, "location");
  json_builder_begin_object (b);
  x = best->lon;
  y = best->lat;
  if (mercator)
    to_mercator (best->lon, best->lat, &x, &y);
  add_xy (b, x, y);
  add_spatial_reference (b, mercator);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, format, node);
}

static void
handle_service_root (SbRequest *req)
{
  static const char * const address_fields[] = {
    "Address", "Address2", "Address3", "Neighborhood", "City", "Subregion", "Region",
    "Postal", "PostalExt", "CountryCode", NULL
  };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  /* Service metadata is public; the operations need a token. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "currentVersion");
  json_builder_add_double_value (b, 11.3);
  json_builder_set_member_name (b, "serviceDescription");
  json_builder_add_string_value (b, "Arcpass sandbox imitation of the ArcGIS World Geocoding "
                                    "Service, over a gazetteer of a few hundred real places.");
  json_builder_set_member_name (b, "addressFields");
  json_builder_begin_array (b);
  for (guint i = 0; address_fields[i]; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, address_fields[i]);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "esriFieldTypeString");
      json_builder_set_member_name (b, "alias");
      json_builder_add_string_value (b, address_fields[i]);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "singleLineAddressField");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "SingleLine");
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "esriFieldTypeString");
  json_builder_set_member_name (b, "alias");
  json_builder_add_string_value (b, "Single Line Input");
  json_builder_set_member_name (b, "required");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_end_object (b);
  add_spatial_reference (b, FALSE);
  json_builder_set_member_name (b, "countries");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "WORLD");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "capabilities");
  json_builder_add_string_value (b, "Geocode,ReverseGeocode,Suggest");
  json_builder_set_member_name (b, "locatorProperties");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "MaxResultSize");
  json_builder_add_int_value (b, MAX_LOCATIONS);
  json_builder_set_member_name (b, "MaxSuggestions");
  json_builder_add_int_value (b, MAX_SUGGESTIONS);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, sb_request_get_format (req, SB_FORMAT_HTML), node);
}

static void
handle_server_info (SbRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *base = sb_request_dup_base_url (req);
  g_autofree char *gen = g_strconcat (base, "/sharing/rest/generateToken", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "currentVersion");
  json_builder_add_double_value (b, 11.3);
  json_builder_set_member_name (b, "fullVersion");
  json_builder_add_string_value (b, "11.3.0");
  json_builder_set_member_name (b, "owningSystemUrl");
  json_builder_add_string_value (b, base);
  json_builder_set_member_name (b, "authInfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "isTokenBasedSecurity");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "tokenServicesUrl");
  json_builder_add_string_value (b, gen);
  json_builder_set_member_name (b, "shortLivedTokenValidity");
  json_builder_add_int_value (b, 60);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  sb_respond_json (req, SOUP_STATUS_OK, sb_request_get_format (req, SB_FORMAT_HTML), node);
}

gboolean
sb_geocode_handle (SbRequest  *req,
                   const char *subpath)
{
  if (strcmp (subpath, "") == 0)
    handle_service_root (req);
  else if (strcmp (subpath, "/_info") == 0)
    handle_server_info (req);
  else if (strcmp (subpath, "/findAddressCandidates") == 0)
    handle_find (req);
  else if (strcmp (subpath, "/suggest") == 0)
    handle_suggest (req);
  else if (strcmp (subpath, "/reverseGeocode") == 0)
    handle_reverse (req);
  else
    return FALSE;
  return TRUE;
}
