/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arcpass-cli-private.h"

#define SERVICE_DESCRIPTION \
  N_("With --sandbox and no sandbox account saved, the sandbox’s demo API key is used.")

/* The account's token manager, ready to call the location services. */
static int
prepare_manager (ArcpassCli           *cli,
                 ArcpassTokenManager **out_manager)
{
  g_autoptr(ArcpassCredential) credential = NULL;
  int ret;

  if ((ret = arcpass_cli_setup (cli)) >= 0)
    return ret;
  if ((ret = arcpass_cli_select_account (cli, TRUE, &credential)) >= 0)
    return ret;
  return arcpass_cli_new_manager (cli, credential, TRUE, out_manager);
}

static gboolean
parse_double (const char *text,
              double      min,
              double      max,
              double     *out_value)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0' || !(value >= min && value <= max))
    return FALSE;
  *out_value = value;
  return TRUE;
}

/* ---- portal check before a sign-in -------------------------------------- */

int
arcpass_cli_check_portal_sign_in (ArcpassCli *cli,
                                  const char *portal_url)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassPortalInfo) info = NULL;

  /* ArcGIS Online never puts a web-tier sign-in in front of its portal. */
  if (arcpass_portal_url_is_online (portal_url) || arcpass_cli_portal_is_sandbox (portal_url))
    return -1;

  arcpass_portal_discover_async (cli->client, portal_url, cli->cancellable,
                                 arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  info = arcpass_portal_discover_finish (result, &error);
  /* Web-tier sign-in, or a server's address instead of its portal's: say
   * so before opening anything. */
  if (g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH) ||
      g_error_matches (error, ARCPASS_ERROR, ARCPASS_ERROR_INVALID_INPUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return arcpass_cli_fail_error (cli, error);
  if (info != NULL && !info->token_based_security)
    {
      g_set_error (&error, ARCPASS_ERROR, ARCPASS_ERROR_WEB_TIER_AUTH,
                   _("%s does not use ArcGIS tokens: its web server signs users in "
                     "(isTokenBasedSecurity is false), so Arcpass cannot sign in to it. Nothing "
                     "was opened and no account was added."),
                   info->portal_url);
      return arcpass_cli_fail_error (cli, error);
    }
  /* Other failures are the sign-in's to explain, as before. */
  return -1;
}

/* ---- geocode ------------------------------------------------------------- */

static void
print_candidates_json (GPtrArray *candidates)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < candidates->len; i++)
    {
      ArcpassGeocodeCandidate *candidate = g_ptr_array_index (candidates, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, candidate->address);
      json_builder_set_member_name (builder, "score");
      json_builder_add_double_value (builder, candidate->score);
      json_builder_set_member_name (builder, "type");
      if (candidate->addr_type)
        json_builder_add_string_value (builder, candidate->addr_type);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "x");
      json_builder_add_double_value (builder, candidate->x);
      json_builder_set_member_name (builder, "y");
      json_builder_add_double_value (builder, candidate->y);
      json_builder_set_member_name (builder, "extent");
      if (candidate->has_extent)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "xmin");
          json_builder_add_double_value (builder, candidate->xmin);
          json_builder_set_member_name (builder, "ymin");
          json_builder_add_double_value (builder, candidate->ymin);
          json_builder_set_member_name (builder, "xmax");
          json_builder_add_double_value (builder, candidate->xmax);
          json_builder_set_member_name (builder, "ymax");
          json_builder_add_double_value (builder, candidate->ymax);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  arcpass_cli_print_json (root);
}

static void
print_candidates_table (GPtrArray *candidates)
{
  int type_width = arcpass_cli_text_width (_("TYPE"));

  for (guint i = 0; i < candidates->len; i++)
    {
      ArcpassGeocodeCandidate *candidate = g_ptr_array_index (candidates, i);

      type_width = MAX (type_width, arcpass_cli_text_width (candidate->addr_type));
    }

  arcpass_cli_print_padded (stdout, _("SCORE"), 7);
  arcpass_cli_print_padded (stdout, _("LONGITUDE"), 13);
  arcpass_cli_print_padded (stdout, _("LATITUDE"), 12);
  arcpass_cli_print_padded (stdout, _("TYPE"), type_width + 2);
  printf ("%s\n", _("ADDRESS"));

  for (guint i = 0; i < candidates->len; i++)
    {
      ArcpassGeocodeCandidate *candidate = g_ptr_array_index (candidates, i);
      char x[G_ASCII_DTOSTR_BUF_SIZE];
      char y[G_ASCII_DTOSTR_BUF_SIZE];

      /* Coordinates with a dot whatever the locale, so they can be pasted
       * into `arcpass reverse` or a URL. */
      g_ascii_formatd (x, sizeof x, "%.6f", candidate->x);
      g_ascii_formatd (y, sizeof y, "%.6f", candidate->y);
      printf ("%-7.0f%-13s%-12s", candidate->score, x, y);
      arcpass_cli_print_padded (stdout, candidate->addr_type ? candidate->addr_type : "",
                                type_width + 2);
      printf ("%s\n", candidate->address);
    }
}

int
arcpass_cli_geocode (int    argc,
                     char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("geocode",
                                               ARCPASS_CLI_ACCOUNT | ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autofree char *text = NULL;
  gboolean json = FALSE;
  int max = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "max", 'n', 0, G_OPTION_ARG_INT, &max,
      N_("At most this many results (default: the service’s)"),
      /* Translators: the number in “--max=N” of --help. It has no context
       * because GOption looks it up without one. */
      N_("N") },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, _("TEXT…"),
                                            _("Find places and addresses with the geocoding service."),
                                            _(SERVICE_DESCRIPTION), entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 1, -1)) >= 0)
    return ret;
  if (max < 0)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s", _("--max cannot be negative."));

  text = g_strjoinv (" ", argv + 1);
  if (!*g_strstrip (text))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s", _("Nothing to look for."));

  if ((ret = prepare_manager (cli, &manager)) >= 0)
    return ret;

  arcpass_geocode_find_async (manager, text, NULL, (guint) max, cli->cancellable,
                              arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  candidates = arcpass_geocode_find_finish (result, &error);
  arcpass_cli_save_if_changed (cli, manager);
  if (!candidates)
    return arcpass_cli_fail_error (cli, error);

  if (json)
    print_candidates_json (candidates);
  else if (candidates->len > 0)
    print_candidates_table (candidates);

  if (candidates->len == 0)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_NOT_FOUND, _("No match for “%s”."), text);

  return ARCPASS_EXIT_OK;
}

/* ---- reverse ------------------------------------------------------------- */

static void
add_optional_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value && *value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

int
arcpass_cli_reverse (int    argc,
                     char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("reverse",
                                               ARCPASS_CLI_ACCOUNT | ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArcpassReverseGeocodeResult) place = NULL;
  gboolean json = FALSE;
  double lon, lat;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, _("LONGITUDE LATITUDE"),
                                            _("Find the address at a place (WGS84 degrees, e.g. -117.1957 34.0564)."),
                                            _(SERVICE_DESCRIPTION), entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 2, 2)) >= 0)
    return ret;
  if (!parse_double (argv[1], -180, 180, &lon))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("“%s” is not a longitude (-180 to 180)."), argv[1]);
  if (!parse_double (argv[2], -90, 90, &lat))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("“%s” is not a latitude (-90 to 90)."), argv[2]);

  if ((ret = prepare_manager (cli, &manager)) >= 0)
    return ret;

  arcpass_geocode_reverse_async (manager, lon, lat, cli->cancellable, arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  place = arcpass_geocode_reverse_finish (result, &error);
  arcpass_cli_save_if_changed (cli, manager);
  if (!place)
    return arcpass_cli_fail_error (cli, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      add_optional_string (builder, "match_addr", place->match_addr);
      add_optional_string (builder, "long_label", place->long_label);
      add_optional_string (builder, "short_label", place->short_label);
      add_optional_string (builder, "type", place->addr_type);
      add_optional_string (builder, "city", place->city);
      add_optional_string (builder, "region", place->region);
      add_optional_string (builder, "country_code", place->country_code);
      json_builder_set_member_name (builder, "x");
      json_builder_add_double_value (builder, place->x);
      json_builder_set_member_name (builder, "y");
      json_builder_add_double_value (builder, place->y);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      arcpass_cli_print_json (root);
    }
  else
    {
      const char *label = place->long_label && *place->long_label ? place->long_label
                                                                   : place->match_addr;

      printf ("%s\n", label ? label : "");
    }

  return ARCPASS_EXIT_OK;
}

/* ---- tile ---------------------------------------------------------------- */

static gboolean
parse_uint (const char *text,
            guint       max,
            guint      *out_value)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    return FALSE;
  *out_value = (guint) value;
  return TRUE;
}

/* Width and height from the IHDR chunk, which a PNG must start with. */
static gboolean
png_size (GBytes *bytes,
          guint  *out_width,
          guint  *out_height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  if (size < 24 || memcmp (data, signature, sizeof signature) != 0 ||
      memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;

  *out_width = (guint) data[16] << 24 | (guint) data[17] << 16 | (guint) data[18] << 8 | data[19];
  *out_height = (guint) data[20] << 24 | (guint) data[21] << 16 | (guint) data[22] << 8 | data[23];
  return TRUE;
}

int
arcpass_cli_tile (int    argc,
                  char **argv)
{
  g_autoptr(ArcpassCli) cli = arcpass_cli_new ("tile",
                                               ARCPASS_CLI_ACCOUNT | ARCPASS_CLI_NEEDS_STORE);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ArcpassTokenManager) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *output = NULL;
  g_autofree char *size_text = NULL;
  const char *style;
  guint z, y, x, width = 0, height = 0;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the PNG to FILE (“-”: standard output)"), N_("FILE") },
    { NULL }
  };
  int ret;

  context = arcpass_cli_option_context_new (cli, _("STYLE Z Y X"),
                                            _("Fetch one 512 px tile of the Static Basemap Tiles service."),
                                            _("STYLE is a style path such as arcgis/navigation or arcgis/light-gray.\n"
                                              "Z is the zoom level, Y the row and X the column (0 to 2^Z − 1).\n"
                                              "\n"
                                              "With --sandbox and no sandbox account saved, the sandbox’s demo API key is used."),
                                            entries);
  if ((ret = arcpass_cli_parse (cli, context, &argc, &argv, 4, 4)) >= 0)
    return ret;

  style = argv[1];
  if (!*style || style[0] == '/' || strstr (style, "..") || strchr (style, '?') ||
      strchr (style, '#'))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("“%s” is not a style path such as arcgis/navigation."), style);
  if (!parse_uint (argv[2], 24, &z))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("“%s” is not a zoom level (0 to 24)."), argv[2]);
  if (!parse_uint (argv[3], (1u << z) - 1, &y) || !parse_uint (argv[4], (1u << z) - 1, &x))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE,
                             _("At zoom %u, Y and X go from 0 to %u."), z, (1u << z) - 1);
  if (!output)
    return arcpass_cli_fail (cli, ARCPASS_EXIT_USAGE, "%s",
                             _("Say where to write the tile with -o FILE.png (“-o -” for standard output)."));

  if ((ret = prepare_manager (cli, &manager)) >= 0)
    return ret;

  arcpass_basemap_fetch_tile_async (manager, style, z, y, x, cli->cancellable,
                                    arcpass_cli_async_cb, cli);
  result = arcpass_cli_wait (cli);
  bytes = arcpass_basemap_fetch_tile_finish (result, &error);
  arcpass_cli_save_if_changed (cli, manager);
  if (!bytes)
    return arcpass_cli_fail_error (cli, error);

  if (!png_size (bytes, &width, &height))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_SERVICE, "%s",
                             _("The service did not answer with a PNG image."));

  if (g_str_equal (output, "-"))
    {
      gsize size;
      const void *data = g_bytes_get_data (bytes, &size);

      if (fwrite (data, 1, size, stdout) != size || fflush (stdout) != 0)
        return arcpass_cli_fail (cli, ARCPASS_EXIT_FAILURE, "%s",
                                 _("Could not write the tile to standard output."));
      return ARCPASS_EXIT_OK;
    }

  if (!g_file_set_contents (output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                            &error))
    return arcpass_cli_fail (cli, ARCPASS_EXIT_FAILURE, "%s", error->message);

  size_text = g_format_size (g_bytes_get_size (bytes));
  printf (_("Saved %s %u/%u/%u (%u×%u PNG, %s) to %s\n"), style, z, y, x, width, height,
          size_text, output);
  return ARCPASS_EXIT_OK;
}
