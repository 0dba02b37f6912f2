/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Everything the UI and the command line use from the core. */

#include "arcpass-types.h"
#include "arcpass-error.h"
#include "arcpass-secret.h"
#include "arcpass-json.h"
#include "arcpass-portal.h"
#include "arcpass-credential.h"
#include "arcpass-request-log.h"
#include "arcpass-client.h"
#include "arcpass-oauth.h"
#include "arcpass-token-scope.h"
#include "arcpass-server-tokens.h"
#include "arcpass-token-manager.h"
#include "arcpass-account-store.h"
#include "arcpass-loopback-receiver.h"
#include "arcpass-sign-in.h"
#include "arcpass-geocode.h"
#include "arcpass-basemap.h"
#include "arcpass-probe.h"
