/** The report sections declared with defineReportSection; a new one is its file and its line here. */
import './html/conventions.js';
