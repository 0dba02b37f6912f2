/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arcpass-sandbox.h"

struct _ArcpassSandbox
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (ArcpassSandbox, arcpass_sandbox, G_TYPE_OBJECT)

static void
arcpass_sandbox_class_init (ArcpassSandboxClass *klass)
{
}

static void
arcpass_sandbox_init (ArcpassSandbox *self)
{
}

ArcpassSandbox *
arcpass_sandbox_new (void)
{
  return g_object_new (ARCPASS_TYPE_SANDBOX, NULL);
}
