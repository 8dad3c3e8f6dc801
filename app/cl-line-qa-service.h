/* cl-line-qa-service.h: the QA service over the production sequence and a PC/SC reader (ClQaService).
 *
 * Diagnose runs the sequence's read-only diagnosis on the card in the QA reader; Resume runs the sequence on it
 * as a QA_RETEST attempt, which continues from what holds on the card, and files the recovery when it ends good;
 * Scrap records the decision with its comment; Reprint Face prints a good card's face again from its records
 * (line/cl-face-reprint.h) on the face printer set here. Everything that touches the card or the store runs on a
 * worker. */
#pragma once

#include "cl-line.h"
#include "line/cl-face-printer.h"
#include "production/cl-production-setup.h"
#include "station/cl-qa-service.h"

G_BEGIN_DECLS

#define CL_TYPE_LINE_QA_SERVICE (cl_line_qa_service_get_type ())
G_DECLARE_FINAL_TYPE (ClLineQaService, cl_line_qa_service, CL, LINE_QA_SERVICE, GObject)

/* station names the QA attempts in the store (NULL: the host name). */
ClLineQaService *cl_line_qa_service_new (ClProductionSetup *setup, const char *station);
/* A re-test's steps then show live on the QA reader's station of line, on the calling thread's main context. */
void cl_line_qa_service_set_line (ClLineQaService *self, ClLine *line);
/* Where Reprint Face prints (NULL: nowhere; reprints then fail with an instruction). Used from QA's workers only:
 * give it a printer of its own, not the run's, which the line's workers use. */
void cl_line_qa_service_set_face_printer (ClLineQaService *self, ClFacePrinter *face);

G_END_DECLS
