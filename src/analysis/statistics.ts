/**
 * The statistics declared with defineStatistic; a new one is its file and its line here. Their
 * keys follow the built-in ones in analysis.json in this order.
 */
import './bias.statistic.js';
import './conventions.js';
