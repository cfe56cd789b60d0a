/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef KML_VERSION_H
#define KML_VERSION_H

#define KML_LIB_VERSION "0.1.0"

const char *kml_lib_version(void);

#endif /* KML_VERSION_H */
