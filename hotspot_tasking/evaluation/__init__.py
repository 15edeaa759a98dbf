"""Evaluation of tasked places: before and after over equal windows, displacement, the
weighted displacement difference test. Never imports Streamlit.
"""
