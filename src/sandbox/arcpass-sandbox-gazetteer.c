/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arcpass-sandbox-private.h"
#include "arcpass-sandbox-resources.h"

/* The gazetteer is a TSV file compiled into the binary as a GResource, parsed
 * once and then shared read-only by the geocoder and the tile renderer
 * (which runs in worker threads). */

static char *
dup_field (char **fields,
           guint  i)
{
  return g_strdup (fields[i] && *fields[i] ? fields[i] : "");
}

static void
split_street (SbPlace *place)
{
  g_auto(GStrv) words = g_strsplit (place->name, " ", -1);
  guint n = g_strv_length (words);

  /* "380 New York St" (number first) or "Unter den Linden 77" (last). */
  if (n >= 2 && g_ascii_isdigit (words[0][0]))
    {
      place->addnum = g_strdup (words[0]);
      place->street = g_strjoinv (" ", words + 1);
    }
  else if (n >= 2 && g_ascii_isdigit (words[n - 1][0]))
    {
      place->addnum = g_strdup (words[n - 1]);
      g_free (words[n - 1]);
      words[n - 1] = NULL;
      place->street = g_strjoinv (" ", words);
    }
  else
    {
      place->addnum = g_strdup ("");
      place->street = g_strdup (place->name);
    }
}

static char *
build_label (SbPlace *place)
{
  GString *s = g_string_new (place->name);

  switch (place->type)
    {
    case SB_PLACE_ADDRESS:
      /* "380 New York St, Redlands, California, 92373" as the World
       * geocoder writes US addresses; other countries add the country. */
      g_string_append_printf (s, ", %s", place->city);
      if (*place->region && g_strcmp0 (place->region, place->city) != 0)
        g_string_append_printf (s, ", %s", place->region);
      if (*place->postal)
        g_string_append_printf (s, ", %s", place->postal);
      if (strcmp (place->country, "USA") != 0)
        g_string_append_printf (s, ", %s", place->country);
      break;

    case SB_PLACE_POI:
      if (*place->city)
        g_string_append_printf (s, ", %s", place->city);
      if (*place->region && g_strcmp0 (place->region, place->city) != 0)
        g_string_append_printf (s, ", %s", place->region);
      g_string_append_printf (s, ", %s", place->country);
      break;

    case SB_PLACE_LOCALITY:
    default:
      if (*place->region && g_strcmp0 (place->region, place->name) != 0)
        g_string_append_printf (s, ", %s", place->region);
      g_string_append_printf (s, ", %s", place->country);
      break;
    }
  return g_string_free (s, FALSE);
}

static GPtrArray *
load_gazetteer (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  GPtrArray *places = g_ptr_array_new ();

  bytes = g_resource_lookup_data (sb_get_resource (),
                                  "/io/github/arcpass/Sandbox/gazetteer.tsv",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (!bytes)
    g_error ("Sandbox gazetteer missing from the resources: %s", error->message);

  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;
      SbPlace *place;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 9);
      if (g_strv_length (fields) < 8)
        g_error ("Sandbox gazetteer line %u is malformed", i + 1);

      place = g_new0 (SbPlace, 1);
      place->id = places->len + 1;
      switch (fields[0][0])
        {
        case 'C':
          place->capital = TRUE;
          place->type = SB_PLACE_LOCALITY;
          break;
        case 'L':
          place->type = SB_PLACE_LOCALITY;
          break;
        case 'P':
          place->type = SB_PLACE_POI;
          break;
        case 'A':
          place->type = SB_PLACE_ADDRESS;
          break;
        default:
          g_error ("Sandbox gazetteer line %u has an unknown type", i + 1);
        }
      place->name = dup_field (fields, 1);
      place->city = *fields[2] ? dup_field (fields, 2)
                               : (place->type == SB_PLACE_LOCALITY ? g_strdup (place->name)
                                                                    : g_strdup (""));
      place->region = dup_field (fields, 3);
      place->country = dup_field (fields, 4);
      place->postal = dup_field (fields, 5);
      place->lon = g_ascii_strtod (fields[6], NULL);
      place->lat = g_ascii_strtod (fields[7], NULL);
      place->aliases = fields[8] ? g_strstrip (g_strdup (fields[8])) : g_strdup ("");
      if (place->type == SB_PLACE_ADDRESS)
        split_street (place);
      place->label = build_label (place);
      g_ptr_array_add (places, place);
    }

  return places;
}

const GPtrArray *
sb_gazetteer_get (void)
{
  static GPtrArray *places;

  if (g_once_init_enter (&places))
    g_once_init_leave (&places, load_gazetteer ());
  return places;
}

const char *
sb_place_type_to_string (SbPlaceType type)
{
  switch (type)
    {
    case SB_PLACE_ADDRESS:
      return "PointAddress";
    case SB_PLACE_POI:
      return "POI";
    case SB_PLACE_LOCALITY:
    default:
      return "Locality";
    }
}
