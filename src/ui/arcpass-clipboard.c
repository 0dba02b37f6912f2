/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arcpass-core.h"
#include "arcpass-clipboard.h"

/* ---- A content provider for one secret string ---------------------------- */

#define ARCPASS_TYPE_SECRET_PROVIDER (arcpass_secret_provider_get_type ())
G_DECLARE_FINAL_TYPE (ArcpassSecretProvider, arcpass_secret_provider, ARCPASS, SECRET_PROVIDER,
                      GdkContentProvider)

struct _ArcpassSecretProvider
{
  GdkContentProvider parent_instance;

  char *text;
};

G_DEFINE_FINAL_TYPE (ArcpassSecretProvider, arcpass_secret_provider, GDK_TYPE_CONTENT_PROVIDER)

#define MIME_UTF8_TEXT "text/plain;charset=utf-8"
/* KDE's clipboard history (Klipper) and several clipboard managers skip
 * entries that offer this type with the value "secret". */
#define MIME_PASSWORD_HINT "x-kde-passwordManagerHint"

static GdkContentFormats *
arcpass_secret_provider_ref_formats (GdkContentProvider *provider)
{
  GdkContentFormatsBuilder *builder = gdk_content_formats_builder_new ();

  gdk_content_formats_builder_add_gtype (builder, G_TYPE_STRING);
  gdk_content_formats_builder_add_mime_type (builder, MIME_UTF8_TEXT);
  gdk_content_formats_builder_add_mime_type (builder, MIME_PASSWORD_HINT);

  return gdk_content_formats_builder_free_to_formats (builder);
}

static gboolean
arcpass_secret_provider_get_value (GdkContentProvider  *provider,
                                   GValue              *value,
                                   GError             **error)
{
  ArcpassSecretProvider *self = ARCPASS_SECRET_PROVIDER (provider);

  if (G_VALUE_HOLDS (value, G_TYPE_STRING))
    {
      g_value_set_string (value, self->text);
      return TRUE;
    }

  return GDK_CONTENT_PROVIDER_CLASS (arcpass_secret_provider_parent_class)->get_value (provider, value, error);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
arcpass_secret_provider_write_mime_type_async (GdkContentProvider  *provider,
                                               const char          *mime_type,
                                               GOutputStream       *stream,
                                               int                  io_priority,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  ArcpassSecretProvider *self = ARCPASS_SECRET_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  const char *data;

  g_task_set_source_tag (task, arcpass_secret_provider_write_mime_type_async);
  g_task_set_priority (task, io_priority);

  if (g_str_equal (mime_type, MIME_UTF8_TEXT))
    data = self->text;
  else if (g_str_equal (mime_type, MIME_PASSWORD_HINT))
    data = "secret";
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Cannot provide contents as “%s”", mime_type);
      return;
    }

  /* The task keeps the provider, hence @data, alive until the write ends. */
  g_output_stream_write_all_async (stream, data, strlen (data), io_priority, cancellable,
                                   write_done_cb, g_steal_pointer (&task));
}

static gboolean
arcpass_secret_provider_write_mime_type_finish (GdkContentProvider  *provider,
                                                GAsyncResult        *result,
                                                GError             **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
arcpass_secret_provider_finalize (GObject *object)
{
  ArcpassSecretProvider *self = ARCPASS_SECRET_PROVIDER (object);

  g_clear_pointer (&self->text, arcpass_secret_free);

  G_OBJECT_CLASS (arcpass_secret_provider_parent_class)->finalize (object);
}

static void
arcpass_secret_provider_class_init (ArcpassSecretProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  object_class->finalize = arcpass_secret_provider_finalize;
  provider_class->ref_formats = arcpass_secret_provider_ref_formats;
  provider_class->get_value = arcpass_secret_provider_get_value;
  provider_class->write_mime_type_async = arcpass_secret_provider_write_mime_type_async;
  provider_class->write_mime_type_finish = arcpass_secret_provider_write_mime_type_finish;
}

static void
arcpass_secret_provider_init (ArcpassSecretProvider *self)
{
}

/* ---- What Arcpass put on each clipboard ---------------------------------- */

typedef struct {
  GdkClipboard *clipboard;  /* unowned: the record is data of the clipboard */
  GdkContentProvider *provider;
  guint timeout_id;
  gulong changed_id;
  GWeakRef observer;
  ArcpassClipboardClearedFunc cleared_func;
} Ownership;

#define OWNERSHIP_KEY "arcpass-clipboard-ownership"

static void
ownership_free (Ownership *ownership)
{
  g_clear_handle_id (&ownership->timeout_id, g_source_remove);
  g_clear_signal_handler (&ownership->changed_id, ownership->clipboard);
  g_clear_object (&ownership->provider);
  g_weak_ref_clear (&ownership->observer);
  g_free (ownership);
}

static Ownership *
get_ownership (GdkClipboard *clipboard)
{
  return g_object_get_data (G_OBJECT (clipboard), OWNERSHIP_KEY);
}

static void
forget_ownership (GdkClipboard *clipboard)
{
  g_object_set_data (G_OBJECT (clipboard), OWNERSHIP_KEY, NULL);
}

static gboolean
clear_if_ours (GdkClipboard *clipboard)
{
  Ownership *ownership = get_ownership (clipboard);
  g_autoptr(GObject) observer = NULL;
  ArcpassClipboardClearedFunc cleared_func;
  gboolean ours;

  if (ownership == NULL)
    return FALSE;

  /* Another client taking the selection makes the content non-local (NULL
   * here), and a later copy in this process replaces the provider: in both
   * cases what is there now is not ours to remove. */
  ours = gdk_clipboard_is_local (clipboard) &&
         gdk_clipboard_get_content (clipboard) == ownership->provider;
  observer = g_weak_ref_get (&ownership->observer);
  cleared_func = ownership->cleared_func;

  forget_ownership (clipboard);

  if (ours)
    {
      gdk_clipboard_set_content (clipboard, NULL);
      if (observer && cleared_func)
        cleared_func (observer);
    }

  return ours;
}

static gboolean
clear_timeout_cb (gpointer user_data)
{
  GdkClipboard *clipboard = user_data;
  Ownership *ownership = get_ownership (clipboard);

  if (ownership != NULL)
    ownership->timeout_id = 0;
  if (clear_if_ours (clipboard))
    g_debug ("Cleared a copied secret from the clipboard");

  return G_SOURCE_REMOVE;
}

static void
clipboard_changed_cb (GdkClipboard *clipboard,
                      gpointer      user_data)
{
  Ownership *ownership = get_ownership (clipboard);

  /* Something else was copied: drop our copy of the secret now rather than
   * when the timeout fires, and never clear the new content. */
  if (ownership != NULL && gdk_clipboard_get_content (clipboard) != ownership->provider)
    forget_ownership (clipboard);
}

void
arcpass_clipboard_copy_secret (GdkClipboard *clipboard,
                               const char   *text,
                               guint         clear_delay_seconds)
{
  arcpass_clipboard_copy_secret_full (clipboard, text, clear_delay_seconds, NULL, NULL);
}

void
arcpass_clipboard_copy_secret_full (GdkClipboard                *clipboard,
                                    const char                  *text,
                                    guint                        clear_delay_seconds,
                                    GObject                     *observer,
                                    ArcpassClipboardClearedFunc  cleared_func)
{
  g_autoptr(ArcpassSecretProvider) provider = NULL;
  Ownership *ownership;

  g_return_if_fail (GDK_IS_CLIPBOARD (clipboard));
  g_return_if_fail (text != NULL);
  g_return_if_fail (!observer || G_IS_OBJECT (observer));

  provider = g_object_new (ARCPASS_TYPE_SECRET_PROVIDER, NULL);
  provider->text = arcpass_secret_dup (text);

  /* Forget the previous copy first, so that its "changed" handler does not
   * see the new content. */
  forget_ownership (clipboard);
  gdk_clipboard_set_content (clipboard, GDK_CONTENT_PROVIDER (provider));

  ownership = g_new0 (Ownership, 1);
  ownership->clipboard = clipboard;
  ownership->provider = GDK_CONTENT_PROVIDER (g_steal_pointer (&provider));
  g_weak_ref_init (&ownership->observer, observer);
  ownership->cleared_func = cleared_func;
  if (clear_delay_seconds > 0)
    ownership->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, clear_delay_seconds,
                                                        clear_timeout_cb, clipboard, NULL);
  g_object_set_data_full (G_OBJECT (clipboard), OWNERSHIP_KEY, ownership,
                          (GDestroyNotify) ownership_free);
  ownership->changed_id = g_signal_connect (clipboard, "changed",
                                            G_CALLBACK (clipboard_changed_cb), NULL);
}

gboolean
arcpass_clipboard_holds_ours (GdkClipboard *clipboard)
{
  Ownership *ownership;

  g_return_val_if_fail (GDK_IS_CLIPBOARD (clipboard), FALSE);

  ownership = get_ownership (clipboard);
  return ownership != NULL &&
         gdk_clipboard_is_local (clipboard) &&
         gdk_clipboard_get_content (clipboard) == ownership->provider;
}

gboolean
arcpass_clipboard_clear_if_ours (GdkDisplay *display)
{
  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

  /* Only the clipboard is used for copies, never the primary selection. */
  return clear_if_ours (gdk_display_get_clipboard (display));
}
