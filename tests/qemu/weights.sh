# Model commits: valid blobs swap in, every kind of broken blob is refused
# with EINVAL while the running model keeps serving, rollback works.
. "$KML_GUEST_LIB"

kml_insmod
kml_expect_eq "built-in model at load" "$(kml_sys model/kind) v$(kml_sys model/version) $(kml_sys model/shape)" "linear v0 9->1"
kml_expect_eq "rollback without history" "$(kml_devtest rollback)" "ENOENT"
kml_expect_eq "commit linear v7" "$(kml_devtest commit linear --version 7)" "ok"
kml_expect_eq "model version" "$(kml_sys model/version)" "7"
kml_expect_eq "model kind" "$(kml_sys model/kind)" "linear"
kml_expect_eq "model shape" "$(kml_sys model/shape)" "9->1"
for bad in garbage truncated bad-crc huge-dims bad-act too-big; do
	kml_expect_eq "commit $bad" "$(kml_devtest commit $bad --version 99)" "EINVAL"
	kml_expect_eq "model still v7 after $bad" "$(kml_sys model/version)" "7"
done
kml_expect_eq "rejects counted (too-big never reaches the validator)" "$(kml_sys model/rejects)" "5"
echo "last error: $(kml_sys model/last_error)"
kml_expect_eq "commit mlp v8" "$(kml_devtest commit mlp --version 8)" "ok"
kml_expect_eq "model kind" "$(kml_sys model/kind)" "mlp"
kml_expect_eq "model shape" "$(kml_sys model/shape)" "9->16->1"
kml_expect_eq "rollback" "$(kml_devtest rollback)" "ok"
kml_expect_eq "back on v7" "$(kml_sys model/version)" "7"
kml_expect_eq "rollback again returns to v8" "$(kml_devtest rollback)" "ok"
kml_expect_eq "on v8" "$(kml_sys model/version)" "8"
kml_expect_eq "commits" "$(kml_sys model/commits)" "2"
kml_expect_eq "rollbacks" "$(kml_sys model/rollbacks)" "2"
kml_rmmod
kml_expect_clean_dmesg
