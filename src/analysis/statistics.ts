/** The statistics declared with defineStatistic; a new one is its file and its line here. */
import './conventions.js';
