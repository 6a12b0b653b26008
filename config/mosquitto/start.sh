#!/bin/sh
# First start: create the dynamic-security store with the hubs' account as its admin, then let
# that account also publish the hubs' answers on the gateways' down/ topics.
set -eu
store=/mosquitto/data/dynamic-security.json
if [ ! -f "$store" ]; then
  mosquitto_ctrl dynsec init "$store" anxin-hub "$HUB_MQTT_PASSWORD"
  mosquitto -c /mosquitto/config/mosquitto.conf &
  pid=$!
  sleep 2
  mosquitto_ctrl -h 127.0.0.1 -u anxin-hub -P "$HUB_MQTT_PASSWORD" dynsec addRoleACL admin \
    publishClientSend 'anxin/v1/gw/+/down/#' allow
  kill "$pid"
  wait "$pid" || true
fi
exec mosquitto -c /mosquitto/config/mosquitto.conf
