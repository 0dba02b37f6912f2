/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-sandbox.h"
#include "bench-signin-form.h"

static void
evaluated_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JSCValue) value = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);
  if (!value)
    {
      g_task_return_error (task, error);
      return;
    }

  text = jsc_value_to_string (value);
  if (g_strcmp0 (text, "submitted") != 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             "no sign-in form on this page (%s)", text);
  else
    g_task_return_boolean (task, TRUE);
}

void
bench_signin_form_submit_async (WebKitWebView       *web_view,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  /* The sandbox's form, as tests/ui/test-oauth-page.c fills it. */
  static const char script[] =
    "(function () {"
    "  var user = document.getElementById ('user_username');"
    "  var password = document.getElementById ('user_password');"
    "  var button = document.getElementById ('signIn');"
    "  if (!user || !password || !button) return document.title;"
    "  user.value = '" ARCPASS_SANDBOX_PUBLISHER_USERNAME "';"
    "  password.value = '" ARCPASS_SANDBOX_PUBLISHER_PASSWORD "';"
    "  button.click ();"
    "  return 'submitted';"
    "}) ()";
  GTask *task = g_task_new (web_view, cancellable, callback, user_data);

  g_task_set_source_tag (task, bench_signin_form_submit_async);
  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, cancellable,
                                       evaluated_cb, task);
}

gboolean
bench_signin_form_submit_finish (WebKitWebView  *web_view,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, web_view), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
