/* Recipient files ($XDG_CONFIG_HOME/kizuki/recipients.d/NAME.conf): work in progress. */
#pragma once
